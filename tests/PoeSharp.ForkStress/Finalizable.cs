namespace PoeSharp.ForkStress;

/// <summary>Garbage with a finalizer: keeps the parent's finalizer thread busy between forks (the quiesce step must wait for it).</summary>
internal sealed class Finalizable
{
    private static long s_finalized;
    private readonly byte[] _payload = new byte[256];

    public static long Finalized => Interlocked.Read(ref s_finalized);

    public int Size => _payload.Length;

    ~Finalizable() => Interlocked.Increment(ref s_finalized);
}
