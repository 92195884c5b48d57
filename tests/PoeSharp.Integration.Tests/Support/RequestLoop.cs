namespace PoeSharp.Integration.Tests.Support;

/// <summary>
/// A client that sends requests one after another on a thread of its own until stopped, counting
/// the answers that were 200 and everything else (another status, a reset, a timeout) as failed.
/// </summary>
internal sealed class RequestLoop : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _load;
    private int _served, _failed;

    /// <summary>Starts sending; <paramref name="request"/> returns the status of one request.</summary>
    public RequestLoop(Func<int> request)
    {
        _load = Task.Run(() =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    if (request() == 200) Interlocked.Increment(ref _served);
                    else Interlocked.Increment(ref _failed);
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref _failed);
                }
            }
        });
    }

    /// <summary>Requests answered with 200 so far.</summary>
    public int Served => Volatile.Read(ref _served);

    /// <summary>Requests that failed so far.</summary>
    public int Failed => Volatile.Read(ref _failed);

    /// <summary>Waits until <paramref name="more"/> requests beyond the current count were answered.</summary>
    public bool ServesMore(int more, TimeSpan patience)
    {
        int from = Served;
        return ServerProcess.Eventually(() => Served > from + more, patience);
    }

    /// <summary>Stops after the request in flight.</summary>
    public void Stop()
    {
        _stop.Cancel();
        _load.Wait();
    }

    public void Dispose()
    {
        if (!_stop.IsCancellationRequested) Stop();
        _stop.Dispose();
    }
}
