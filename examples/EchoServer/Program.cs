using PoeSharp;
using PoeSharp.Examples;

// EchoServer [--port N]: a line echo server on TcpServer (POE::Component::Server::TCP's job).
int port = 7777;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] is "--help" or "-h")
    {
        Console.WriteLine("Usage: EchoServer [--port N]\n  --port N  the TCP port to listen on (default 7777; 0 = any free port)\n  --help    this text");
        return 0;
    }
    if (args[i] != "--port" || i + 1 >= args.Length || !int.TryParse(args[++i], out port) || port is < 0 or > 65535)
    {
        Console.Error.WriteLine($"EchoServer: invalid arguments '{string.Join(' ', args)}'; use --port N (0..65535) or --help.");
        return 2;
    }
}
var kernel = new Kernel();
EchoServer.Start(kernel, port, Console.Out);
kernel.Run();
return 0;
