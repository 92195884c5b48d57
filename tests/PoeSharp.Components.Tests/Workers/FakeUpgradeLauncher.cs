using PoeSharp.Components.Workers;
using PoeSharp.Testing;

namespace PoeSharp.Components.Tests.Workers;

/// <summary>Starts made-up new masters: each launch is recorded and becomes a child of the fake process host.</summary>
internal sealed class FakeUpgradeLauncher(FakeProcessHost processes) : IUpgradeLauncher
{
    public int NextPid { get; set; } = 9001;

    /// <summary>When set, the next launch fails with this message.</summary>
    public string? FailWith { get; set; }

    /// <summary>The first listening descriptor of every launch, in order.</summary>
    public List<int> Launched { get; } = [];

    /// <summary>Every listening descriptor of every launch, in order.</summary>
    public List<IReadOnlyList<int>> LaunchedAll { get; } = [];

    public Child? Last { get; private set; }

    public IUpgradeChild? Launch(IReadOnlyList<int> listeningFds, out string error)
    {
        if (FailWith is { } why)
        {
            FailWith = null;
            error = why;
            return null;
        }
        error = "";
        Launched.Add(listeningFds[0]);
        LaunchedAll.Add([.. listeningFds]);
        int pid = NextPid++;
        processes.AddChild(pid);
        return Last = new Child(pid);
    }

    internal sealed class Child(int pid) : IUpgradeChild
    {
        public int Pid => pid;

        public bool Ready { get; set; }

        public bool Disposed { get; private set; }

        public bool HasReportedReady() => Ready;

        public void Dispose() => Disposed = true;
    }
}
