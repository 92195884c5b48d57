namespace PoeSharp.Components.Workers;

/// <summary>A new master started by <see cref="IUpgradeLauncher"/>, until it reports that it accepts.</summary>
internal interface IUpgradeChild : IDisposable
{
    /// <summary>The new master's pid (a child of this process).</summary>
    int Pid { get; }

    /// <summary>True once the new master has said that its workers accept; never blocks.</summary>
    bool HasReportedReady();
}
