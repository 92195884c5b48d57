using PoeSharp.Loop;
using PoeSharp.Os;

namespace PoeSharp.Examples;

/// <summary>
/// What both example programs do around their sessions: options, the fork-safety set-up
/// (signal mask, readiness check, warm-up), running the kernel, and leaving a forked child with
/// <c>_exit</c> (returning from Main hangs there).
/// </summary>
internal static class ExampleProgram
{
    /// <summary>How long a server process must have had nothing to do before it compacts its heap (<see cref="KernelOptions.CompactWhenIdle"/>).</summary>
    public static readonly TimeSpan IdleCompaction = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Runs an example. <paramref name="createListener"/> creates the listener session on the
    /// kernel and returns a function that tells, after the run, whether the server failed to listen.
    /// </summary>
    public static int Run(string[] args, ExampleKind kind, string name,
                          Func<Kernel, ServerOptions, Func<bool>> createListener)
    {
        OptionsParseResult parsed = ServerOptions.Parse(args, kind);
        if (parsed.HelpRequested)
        {
            Console.Out.WriteLine(ServerOptions.HelpText(kind));
            return 0;
        }
        if (parsed.Error is not null)
        {
            Console.Error.WriteLine($"{name}: {parsed.Error}");
            Console.Error.WriteLine($"Try '{name} --help'.");
            return 2;
        }
        ServerOptions options = parsed.Options!;

        // Signals must be blocked before the runtime starts its threads: this re-executes the
        // program once with the mask set (the options are parsed again there).
        ForkSafety.EnsureSignalMask(args);
        ForkReadiness readiness = ForkSafety.Check();
        if (!readiness.IsReady)
        {
            Console.Error.WriteLine($"{name}: this process cannot fork safely.\n{readiness}");
            return 1;
        }
        ForkSafety.WarmUp();
        WarmUpHotPath(options);
        PrepareChildPath();

        Func<bool> failed = static () => true;
        try
        {
            // One failing connection must not end the server: log it, stop that session, go on.
            // A process quiet for a second after serving gives back the memory its garbage collector kept
            // (idle keep-alive connections cost a third as much; bench/README.md, "What an idle connection holds").
            using var kernel = new Kernel(new KernelOptions
            {
                HandlerFailure = HandlerFailurePolicy.StopSession,
                CompactWhenIdle = IdleCompaction,
            });
            failed = createListener(kernel, options);
            kernel.Run();
        }
        catch (Exception e) when (ForkSafety.IsForkedChild)
        {
            // An exception must not unwind out of Main in a child: that hangs instead of exiting.
            Console.Error.WriteLine($"{name} (child process): {e}");
            ForkSafety.Exit(70);
        }

        // A child must not return from Main (the runtime's shutdown waits for threads it no longer has).
        if (ForkSafety.IsForkedChild) ForkSafety.Exit(0);
        return failed() ? 1 : 0;
    }

    /// <summary>
    /// JIT-compiles what a child runs that the parent does not (dropping the listening socket,
    /// the listener's _child/_stop handlers, reseeding): tiered compilation is off, so a method
    /// first called in a child is compiled there, in every child, at about 1-2 ms a method on a
    /// loaded machine (docs/FORK-SAFETY.md, "Cost of a child").
    /// </summary>
    private static void PrepareChildPath()
    {
        ForkSafety.PrepareForChildren(typeof(ExampleProgram).Assembly);
        Type listener = typeof(PoeSharp.Wheels.SocketFactoryWheel);
        ForkSafety.PrepareForChildren(listener);
        // The wheels' internal drivers (the accept loop, the write batch, the buffers): a child
        // that wins an accept race before the parent has accepted anything would compile them.
        ForkSafety.PrepareForChildren(listener.Assembly, listener.Namespace + ".Drivers");
        // Generic code PrepareMethod does not reach: a PreforkHttpd child clears the parent's
        // queue of children to replace, which the parent itself rarely does.
        new Queue<int>().Clear();
    }

    /// <summary>
    /// JIT-compiles the request path in the parent, so that no child has to. Tiered compilation
    /// is off, so whatever the parent compiles before it forks is shared by every child, and a new
    /// child answers its first request without compiling. The warm-up runs one real interactor
    /// session over a socketpair, on a throwaway kernel with a manual loop.
    /// </summary>
    private static void WarmUpHotPath(ServerOptions options)
    {
        var pair = PosixSocket.SocketPair();
        if (!pair.Ok) return;
        (FileDescriptor serverEnd, FileDescriptor clientEnd) = pair.Value;
        using (clientEnd)
        {
            // A Connection header (as most clients send) runs the header-list parser too.
            byte[] request = "GET / HTTP/1.1\r\nHost: warm.up:8888\r\nUser-Agent: warm-up\r\n\r\nGET / HTTP/1.0\r\nConnection: close\r\n\r\n"u8.ToArray();
            PosixSocket.Write(clientEnd.Fd, request);
            using var loop = new ManualLoop();
            using var kernel = new Kernel(loop, TimeProvider.System);
            ServerOptions quiet = options with { Debug = false, KeepAlive = true };
            InteractorSession.Create(kernel, serverEnd, null, 0, quiet, new DebugLog(TextWriter.Null, false));
            for (int i = 0; i < 8 && kernel.SessionCount > 0; i++)
            {
                loop.FireOnce(serverEnd.Fd, IoMode.Read);
                kernel.RunOneTimeslice();
            }
            var buffer = new byte[8192];
            PosixSocket.SetNonBlocking(clientEnd.Fd, true);
            while (PosixSocket.Read(clientEnd.Fd, buffer) is { Ok: true, Value: > 0 }) { }
        }
        serverEnd.Dispose();
    }
}
