namespace PoeSharp.Components;

/// <summary>The event names the TCP components use inside their own sessions.</summary>
internal static class TcpEvents
{
    public const string Input = "tcp_input";
    public const string Error = "tcp_error";
    public const string Flushed = "tcp_flushed";
    public const string Put = "tcp_put";
    public const string Shutdown = "tcp_shutdown";
    public const string Abort = "tcp_abort";
    public const string Drain = "tcp_drain";
    public const string DrainOver = "tcp_drain_over";
    public const string Accepted = "tcp_accepted";
    public const string ListenFailed = "tcp_listen_failed";
    public const string ClientGone = "tcp_client_gone";
    public const string SetConcurrency = "tcp_set_concurrency";
    public const string Connected = "tcp_connected";
    public const string ConnectFailed = "tcp_connect_failed";
    public const string Reconnect = "tcp_reconnect";
    public const string ReconnectNow = "tcp_reconnect_now";
}
