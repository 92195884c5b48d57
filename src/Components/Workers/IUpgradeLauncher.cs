namespace PoeSharp.Components.Workers;

/// <summary>Starts the new program of a binary upgrade (SIGUSR2); replaced in tests, where nothing is started.</summary>
internal interface IUpgradeLauncher
{
    /// <summary>
    /// Starts the new program with <paramref name="listeningFds"/> passed as descriptors 3, 4, ...
    /// (LISTEN_FDS their count, LISTEN_PID its pid). Returns null and sets <paramref name="error"/> when it could not.
    /// </summary>
    IUpgradeChild? Launch(IReadOnlyList<int> listeningFds, out string error);
}
