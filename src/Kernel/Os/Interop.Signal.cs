using System.Runtime.InteropServices;

namespace PoeSharp.Os;

/// <summary>signal.h / sys/signalfd.h: masks, dispositions, signalfd and kill.</summary>
internal static unsafe partial class SignalInterop
{
    internal const int SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
    internal const int SFD_CLOEXEC = 0x80000, SFD_NONBLOCK = 0x800;
    internal static readonly nint SIG_DFL = 0, SIG_IGN = 1;

    /// <summary>sizeof(struct signalfd_siginfo).</summary>
    internal const int SignalFdInfoSize = 128;

    /// <summary>glibc's struct sigaction (152 bytes on 64-bit Linux).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 152)]
    internal struct SigAction
    {
        [FieldOffset(0)] internal nint Handler;
        [FieldOffset(8)] internal SignalSet Mask;
        [FieldOffset(136)] internal int Flags;
        [FieldOffset(144)] internal nint Restorer;
    }

    [LibraryImport("libc", EntryPoint = "pthread_sigmask")]
    internal static partial int PthreadSigmask(int how, SignalSet* set, SignalSet* oldSet);

    /// <summary>glibc's wrapper passes the kernel's 8-byte mask size itself.</summary>
    [LibraryImport("libc", EntryPoint = "signalfd", SetLastError = true)]
    internal static partial int SignalFd(int fd, SignalSet* mask, int flags);

    [LibraryImport("libc", EntryPoint = "sigaction", SetLastError = true)]
    internal static partial int Sigaction(int signo, SigAction* act, SigAction* oldAct);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signo);

    [LibraryImport("libc", EntryPoint = "raise")]
    internal static partial int Raise(int signo);

    /// <summary>Sets the disposition of <paramref name="signo"/> to SIG_DFL or SIG_IGN.</summary>
    internal static int SetDisposition(int signo, nint handler)
    {
        SigAction act = default;
        act.Handler = handler;
        return Sigaction(signo, &act, null);
    }

    /// <summary>The current handler of <paramref name="signo"/> (SIG_DFL = 0, SIG_IGN = 1, else a function).</summary>
    internal static nint GetHandler(int signo)
    {
        SigAction old = default;
        return Sigaction(signo, null, &old) == 0 ? old.Handler : SIG_DFL;
    }
}
