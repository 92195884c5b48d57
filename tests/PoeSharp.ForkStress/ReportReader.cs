using System.Text;
using PoeSharp.Loop;

namespace PoeSharp.ForkStress;

/// <summary>Collects the lines children write on the shared report pipe.</summary>
internal sealed class ReportReader : IReadyHandler
{
    private readonly StringBuilder _pending = new();

    public ReportReader(int readFd) => ReadFd = readFd;

    public int ReadFd { get; }

    public List<string> Lines { get; } = new();

    public void OnReady(int fd, IoMode mode)
    {
        Native.ReadAvailable(ReadFd, _pending);
        string text = _pending.ToString();
        int end = text.LastIndexOf('\n');
        if (end < 0) return;
        Lines.AddRange(text[..end].Split('\n', StringSplitOptions.RemoveEmptyEntries));
        _pending.Clear().Append(text[(end + 1)..]);
    }
}
