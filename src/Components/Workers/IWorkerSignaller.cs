namespace PoeSharp.Components.Workers;

/// <summary>kill(2) for the pool's workers; replaced in tests, where the workers are made up.</summary>
internal interface IWorkerSignaller
{
    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false if it could not.</summary>
    bool Send(int pid, int signal);
}
