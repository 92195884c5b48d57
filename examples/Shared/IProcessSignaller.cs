namespace PoeSharp.Examples;

/// <summary>Sends OS signals to child processes by pid (kill(2)); a recorder in tests.</summary>
internal interface IProcessSignaller
{
    /// <summary>Sends signal number <paramref name="signal"/> to <paramref name="pid"/>; false if it is gone.</summary>
    bool Send(int pid, int signal);
}
