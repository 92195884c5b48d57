using System.Reflection;
using System.Text;
using PoeSharp.Examples;
using PoeSharp.Os;

namespace PoeSharp.Examples.Tests;

/// <summary>
/// What an idle keep-alive connection of PreforkHttpd holds on the managed heap: connections on
/// socketpairs answer one request each on a real kernel, then sit idle; the objects that only one
/// connection reaches are counted (with their sizes), and the heap's growth per connection too.
/// </summary>
[NonParallelizable]
public sealed class IdleConnectionMemoryTests
{
    private const int Connections = 200;

    private static readonly byte[] s_buffer = new byte[65536];

    private static readonly byte[] Request = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: t\r\nAccept: */*\r\n\r\n");

    [Test]
    public void An_idle_keep_alive_connection_holds_no_buffer_and_few_objects()
    {
        using var kernel = new Kernel();
        var options = new ServerOptions { KeepAlive = true, Debug = false, KeepAliveTimeout = TimeSpan.FromMinutes(5) };
        var log = new DebugLog(TextWriter.Null, false);
        var pairs = new List<(FileDescriptor Server, FileDescriptor Client)>();
        var sessions = new List<Session>();
        try
        {
            // One warm-up connection first, so that lazily created shared state (caches, pools) is in the baseline.
            Open(kernel, options, log, pairs, sessions, 1);
            Serve(kernel, pairs, 0);
            long before = HeapSize();
            Open(kernel, options, log, pairs, sessions, Connections);
            Serve(kernel, pairs, 1);
            long after = HeapSize();
            double perConnection = (after - before) / (double)Connections;

            // Objects that session 2 reaches and session 1 does not: the connection's own.
            var shared = ReachSet(sessions[1]);
            var own = Reach(sessions[2], shared);
            long ownBytes = own.Sum(o => o.Size);
            var byType = own.GroupBy(o => TypeName(o.Object.GetType()))
                            .Select(g => (Type: g.Key, Count: g.Count(), Bytes: g.Sum(o => o.Size)))
                            .OrderByDescending(g => g.Bytes).ToList();
            TestContext.Out.WriteLine($"heap growth per idle connection: {perConnection:F0} bytes ({Connections} connections)");
            TestContext.Out.WriteLine($"reachable from one connection's session only: {own.Count} objects, {ownBytes} bytes");
            foreach (var (type, count, bytes) in byType) TestContext.Out.WriteLine($"  {bytes,6} B  {count,3} x {type}");

            // What a busy connection allocates per request (the page, the request's objects), for comparison.
            var one = new List<(FileDescriptor Server, FileDescriptor Client)> { pairs[1] };
            for (int i = 0; i < 5; i++) Serve(kernel, one, 0);
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 40; i++) Serve(kernel, one, 0);
            TestContext.Out.WriteLine($"allocated per request on a busy keep-alive connection (the test client's share is a few dozen bytes): {(GC.GetAllocatedBytesForCurrentThread() - allocated) / 40} bytes");

            Assert.That(own.Where(o => o.Object is byte[] { Length: >= 1024 }).Select(o => o.Size), Is.Empty,
                        "an idle connection holds no read or write buffer");
            Assert.That(ownBytes, Is.LessThan(1200),
                        "the objects an idle connection keeps (3,112 bytes before sessions shared their handler table, 1,288 before the owned and fork-aware lists were inline)");
        }
        finally
        {
            foreach (var (server, client) in pairs)
            {
                client.Dispose();
                server.Dispose();
            }
        }
    }

    private static void Open(Kernel kernel, ServerOptions options, DebugLog log, List<(FileDescriptor, FileDescriptor)> pairs, List<Session> sessions, int count)
    {
        for (int i = 0; i < count; i++)
        {
            var pair = PosixSocket.SocketPair();
            Assert.That(pair.Ok, Is.True);
            pairs.Add(pair.Value);
            var session = InteractorSession.Create(kernel, pair.Value.First, null, 0, options, log);
            Assert.That(session, Is.Not.Null);
            sessions.Add(session!);
        }
    }

    // Each client from `first` on sends its request; the kernel runs until every one got its page.
    private static void Serve(Kernel kernel, List<(FileDescriptor Server, FileDescriptor Client)> pairs, int first)
    {
        var buffer = s_buffer;
        var done = new bool[pairs.Count];
        for (int i = first; i < pairs.Count; i++)
        {
            PosixSocket.SetNonBlocking(pairs[i].Client.Fd, true);
            Assert.That(PosixSocket.Write(pairs[i].Client.Fd, Request).Value, Is.EqualTo(Request.Length));
        }
        int remaining = pairs.Count - first;
        for (int slice = 0; remaining > 0; slice++)
        {
            Assert.That(slice, Is.LessThan(10_000), "every client gets its page");
            kernel.RunOneTimeslice();
            for (int i = first; i < pairs.Count; i++)
            {
                if (done[i]) continue;
                while (PosixSocket.Read(pairs[i].Client.Fd, buffer) is { Ok: true, Value: > 0 } r)
                {
                    if (buffer.AsSpan(0, r.Value).IndexOf("</html>"u8) >= 0)
                    {
                        done[i] = true;
                        remaining--;
                        break;
                    }
                }
            }
        }
    }

    private static long HeapSize()
    {
        for (int i = 0; i < 3; i++) GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static string TypeName(Type t) =>
        t.IsGenericType ? $"{t.Name.Split('`')[0]}<{string.Join(", ", t.GetGenericArguments().Select(TypeName))}>" : t.Name;

    private readonly record struct Owned(object Object, long Size);

    // Every object reachable from root through fields and array elements, except those in `stop`
    // (and what only they reach). Kernel, other sessions, Type and delegates' methods are shared by every connection.
    private static List<Owned> Reach(object root, HashSet<object>? stop)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var result = new List<Owned>();
        var stack = new Stack<object>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            object o = stack.Pop();
            if (!seen.Add(o) || (stop is not null && stop.Contains(o))) continue;
            Type t = o.GetType();
            if (o is Kernel or Type or MemberInfo or Module or Assembly || (o is Session && o != root)) continue;
            result.Add(new Owned(o, SizeOf(o)));
            if (o is Array array)
            {
                Type element = t.GetElementType()!;
                if (element.IsPrimitive || element.IsPointer || element.IsEnum) continue;
                foreach (object? item in array)
                {
                    if (item is null) continue;
                    if (element.IsValueType) PushFields(item, element, stack);
                    else stack.Push(item);
                }
                continue;
            }
            PushFields(o, t, stack);
        }
        return result;
    }

    private static HashSet<object> ReachSet(object root) => new(Reach(root, null).Select(o => o.Object), ReferenceEqualityComparer.Instance);

    private static void PushFields(object o, Type t, Stack<object> stack)
    {
        for (Type? c = t; c is not null; c = c.BaseType)
        {
            foreach (var f in c.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (f.FieldType.IsPrimitive || f.FieldType.IsPointer || f.FieldType.IsEnum || f.FieldType.IsByRefLike) continue;
                object? value = f.GetValue(o);
                if (value is null) continue;
                if (f.FieldType.IsValueType) PushFields(value, f.FieldType, stack);
                else stack.Push(value);
            }
        }
    }

    // The runtime's base size of the type (method table) plus the elements of an array or string.
    private static unsafe long SizeOf(object o)
    {
        Type t = o.GetType();
        var mt = (byte*)t.TypeHandle.Value;
        uint flags = *(uint*)mt;
        long size = *(uint*)(mt + 4);
        if (o is Array a) size += (long)a.Length * (flags & 0xFFFF);
        else if (o is string s) size += 2L * s.Length;
        return (size + 7) & ~7L;
    }
}
