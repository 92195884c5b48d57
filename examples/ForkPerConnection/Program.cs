// ForkPerConnection: accept in the parent, fork a child per connection, reap each child by pid.
using PoeSharp;
using PoeSharp.Examples;

return ExampleProgram.Run(args, ExampleKind.ForkPerConnection, "ForkPerConnection", (kernel, options) =>
{
    // One accept per readiness: the parent forks for each connection before taking the next.
    Session listener = ForkListenerSession.Create(kernel, options, ServerEnvironment.Real(options, maxAcceptsPerReady: 1))
                       ?? throw new InvalidOperationException("The listener session was not created.");
    return () => ((ForkListenerHeap)listener.Heap!).Failed;
});
