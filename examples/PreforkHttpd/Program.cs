// PreforkHttpd: POE's pre-forking web server on PoeSharp. We are the parent process. Start the
// server, and then run it. Exit when it's done.
using PoeSharp;
using PoeSharp.Examples;

return ExampleProgram.Run(args, ExampleKind.Prefork, "PreforkHttpd", (kernel, options) =>
{
    Session listener = ListenerSession.Create(kernel, options, ServerEnvironment.Real(options, ListenerSession.MaxAcceptsPerReady))
                       ?? throw new InvalidOperationException("The listener session was not created.");
    return () => ((ListenerHeap)listener.Heap!).Failed;
});
