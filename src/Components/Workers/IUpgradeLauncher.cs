namespace PoeSharp.Components.Workers;

/// <summary>Starts the new program of a binary upgrade (SIGUSR2); replaced in tests, where nothing is started.</summary>
internal interface IUpgradeLauncher
{
    /// <summary>
    /// Starts the new program with <paramref name="listeningFd"/> passed as descriptor 3
    /// (LISTEN_FDS=1, LISTEN_PID its pid). Returns null and sets <paramref name="error"/> when it could not.
    /// </summary>
    IUpgradeChild? Launch(int listeningFd, out string error);
}
