namespace PoeSharp.Loop;

/// <summary>
/// The readiness back end of a kernel, with POE's Loop interface (watch / ignore / pause /
/// resume a filehandle, one timeslice wait). Implementations: the epoll loop for real
/// descriptors and a manual loop for tests. Level-triggered: a ready descriptor is reported
/// on every <see cref="Poll"/> until it is no longer ready or no longer watched.
/// </summary>
/// <remarks>
/// A loop never starts a thread (a forked child cannot run one), and every member except
/// <see cref="Wake"/> is called on the kernel's thread only.
/// </remarks>
public interface ILoop : IDisposable
{
    /// <summary>Connects the loop to the kernel that receives its readiness callbacks.</summary>
    void Attach(ILoopSink sink);

    /// <summary>Starts watching <paramref name="fd"/> for <paramref name="mode"/>. Watching a mode twice is a no-op.</summary>
    void Watch(int fd, IoMode mode);

    /// <summary>
    /// Like <see cref="Watch(int, IoMode)"/>; with <paramref name="exclusive"/> the loop asks the OS
    /// to wake only one of the processes (each with its own loop) that wait on the same open socket
    /// when it becomes ready, instead of all of them: a listening socket shared by pre-forked
    /// processes (epoll's <c>EPOLLEXCLUSIVE</c>). A hint: what each loop reports once it is awake
    /// does not change, and a loop without the notion (the default) watches as usual. The flag
    /// belongs to the descriptor until it is no longer watched in any mode.
    /// </summary>
    void Watch(int fd, IoMode mode, bool exclusive) => Watch(fd, mode);

    /// <summary>Stops watching <paramref name="fd"/> for <paramref name="mode"/>; unknown descriptors are ignored.</summary>
    void Ignore(int fd, IoMode mode);

    /// <summary>
    /// Like <see cref="Ignore(int, IoMode)"/>; with <paramref name="closing"/>, the caller closes
    /// <paramref name="fd"/> next and no other descriptor, in this process or another, refers to
    /// its open file, so closing it ends the OS's registration by itself: a loop may then skip
    /// removing it (epoll: no <c>EPOLL_CTL_DEL</c>). The default ignores the hint.
    /// </summary>
    void Ignore(int fd, IoMode mode, bool closing) => Ignore(fd, mode);

    /// <summary>Suspends reporting of <paramref name="fd"/>/<paramref name="mode"/> without forgetting it.</summary>
    void Pause(int fd, IoMode mode);

    /// <summary>Resumes reporting after <see cref="Pause"/>.</summary>
    void Resume(int fd, IoMode mode);

    /// <summary>
    /// Waits at most <paramref name="timeout"/> (<see cref="TimeSpan.Zero"/> = do not block,
    /// <see cref="Timeout.InfiniteTimeSpan"/> = no limit) for readiness, then reports every ready
    /// descriptor to the sink. Returns the number of callbacks made. An interrupted wait
    /// (EINTR) returns 0; it is not an error.
    /// </summary>
    int Poll(TimeSpan timeout);

    /// <summary>
    /// Interrupts a <see cref="Poll"/> in progress or makes the next one return at once.
    /// The only member that may be called from any thread.
    /// </summary>
    void Wake();

    /// <summary>
    /// Called in a forked child: replaces every kernel object the child must not share with the
    /// parent (the epoll instance, the wake descriptor) and re-registers the current watches.
    /// </summary>
    void AfterFork();

    /// <summary>Number of descriptor/mode pairs currently watched (paused ones included).</summary>
    int WatchCount { get; }
}
