using System.Diagnostics;
using System.Runtime.InteropServices;

namespace PoeSharp.Os.Tests;

/// <summary>
/// The constants and struct layouts the OS layer imports, compared with the C headers by
/// compiling a small C program (skipped when no C compiler is installed).
/// </summary>
public sealed class NativeLayoutTests
{
    private const string Program = """
        #define _GNU_SOURCE
        #include <stdio.h>
        #include <stddef.h>
        #include <signal.h>
        #include <spawn.h>
        #include <sys/epoll.h>
        #include <sys/eventfd.h>
        #include <sys/signalfd.h>
        #include <sys/timerfd.h>
        #include <sys/prctl.h>
        #include <sys/wait.h>
        #include <sys/syscall.h>
        #include <fcntl.h>
        int main(void) {
          printf("epoll_event=%zu data=%zu\n", sizeof(struct epoll_event), offsetof(struct epoll_event, data));
          printf("sigaction=%zu mask=%zu flags=%zu\n", sizeof(struct sigaction), offsetof(struct sigaction, sa_mask), offsetof(struct sigaction, sa_flags));
          printf("sigset=%zu siginfo=%zu si_pid=%zu si_status=%zu\n", sizeof(sigset_t), sizeof(siginfo_t), offsetof(siginfo_t, si_pid), offsetof(siginfo_t, si_status));
          printf("signalfd_siginfo=%zu\n", sizeof(struct signalfd_siginfo));
          printf("file_actions=%zu attr=%zu\n", sizeof(posix_spawn_file_actions_t), sizeof(posix_spawnattr_t));
          printf("EPOLL_CLOEXEC=%d EPOLLIN=%d EPOLLPRI=%d EPOLLOUT=%d EPOLLERR=%d EPOLLHUP=%d EPOLLRDHUP=%d\n", EPOLL_CLOEXEC, EPOLLIN, EPOLLPRI, EPOLLOUT, EPOLLERR, EPOLLHUP, EPOLLRDHUP);
          printf("EFD_CLOEXEC=%d EFD_NONBLOCK=%d SFD_CLOEXEC=%d SFD_NONBLOCK=%d\n", EFD_CLOEXEC, EFD_NONBLOCK, SFD_CLOEXEC, SFD_NONBLOCK);
          printf("PR_SET_PDEATHSIG=%d WNOHANG=%d WEXITED=%d WNOWAIT=%d P_PID=%d P_PIDFD=%d SYS_pidfd_open=%d\n", PR_SET_PDEATHSIG, WNOHANG, WEXITED, WNOWAIT, P_PID, P_PIDFD, SYS_pidfd_open);
          printf("SIG_BLOCK=%d SIG_UNBLOCK=%d SIG_SETMASK=%d O_DIRECTORY=%d O_CLOEXEC=%d O_NONBLOCK=%d\n", SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK, O_DIRECTORY, O_CLOEXEC, O_NONBLOCK);
          printf("itimerspec=%zu value=%zu TFD_CLOEXEC=%d TFD_NONBLOCK=%d CLOCK_MONOTONIC=%d\n", sizeof(struct itimerspec), offsetof(struct itimerspec, it_value), TFD_CLOEXEC, TFD_NONBLOCK, CLOCK_MONOTONIC);
          printf("POSIX_SPAWN_SETSIGMASK=%d POSIX_SPAWN_SETSIGDEF=%d\n", POSIX_SPAWN_SETSIGMASK, POSIX_SPAWN_SETSIGDEF);
          return 0;
        }
        """;

    private static string? s_output;

    private static string Output()
    {
        if (s_output is not null) return s_output;
        string cc = new[] { "/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang" }.FirstOrDefault(File.Exists)
                    ?? throw new IgnoreException("no C compiler installed");
        string dir = Directory.CreateTempSubdirectory("poesharp-layout").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "layout.c"), Program);
            Run(cc, dir, "-o", "layout", "layout.c");
            return s_output = Run(Path.Combine(dir, "layout"), dir);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Run(string exe, string dir, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.Zero, error);
        return output;
    }

    [Test]
    public void StructLayoutsMatchTheHeaders()
    {
        string c = Output();
        Assert.That(c, Does.Contain($"epoll_event={EpollInterop.EventSize} data={EpollInterop.DataOffset}\n"));
        Assert.That(c, Does.Contain($"sigaction={Marshal.SizeOf<SignalInterop.SigAction>()} mask=8 flags=136\n"));
        Assert.That(c, Does.Contain($"sigset={Marshal.SizeOf<SignalSet>()} siginfo={Marshal.SizeOf<ProcessInterop.SigInfo>()} si_pid=16 si_status=24\n"));
        Assert.That(c, Does.Contain($"signalfd_siginfo={SignalInterop.SignalFdInfoSize}\n"));
        var sizes = c.Split('\n').Single(l => l.StartsWith("file_actions=", StringComparison.Ordinal)).Split(' ')
                     .Select(kv => int.Parse(kv.Split('=')[1])).ToArray();
        Assert.That(sizes[0], Is.LessThanOrEqualTo(SpawnInterop.FileActionsSize));
        Assert.That(sizes[1], Is.LessThanOrEqualTo(SpawnInterop.AttrSize));
    }

    [Test]
    public void ConstantsMatchTheHeaders()
    {
        string c = Output();
        Assert.That(c, Does.Contain($"EPOLL_CLOEXEC={EpollInterop.EPOLL_CLOEXEC} EPOLLIN={EpollInterop.EPOLLIN} EPOLLPRI={EpollInterop.EPOLLPRI} " +
                                    $"EPOLLOUT={EpollInterop.EPOLLOUT} EPOLLERR={EpollInterop.EPOLLERR} EPOLLHUP={EpollInterop.EPOLLHUP} EPOLLRDHUP={EpollInterop.EPOLLRDHUP}\n"));
        Assert.That(c, Does.Contain($"EFD_CLOEXEC={EventFdInterop.EFD_CLOEXEC} EFD_NONBLOCK={EventFdInterop.EFD_NONBLOCK} " +
                                    $"SFD_CLOEXEC={SignalInterop.SFD_CLOEXEC} SFD_NONBLOCK={SignalInterop.SFD_NONBLOCK}\n"));
        Assert.That(c, Does.Contain($"PR_SET_PDEATHSIG={ProcessInterop.PR_SET_PDEATHSIG} WNOHANG={ProcessInterop.WNOHANG} WEXITED={ProcessInterop.WEXITED} " +
                                    $"WNOWAIT={ProcessInterop.WNOWAIT} P_PID={ProcessInterop.P_PID} P_PIDFD={ProcessInterop.P_PIDFD} SYS_pidfd_open={ProcessInterop.SYS_pidfd_open}\n"));
        Assert.That(c, Does.Contain($"SIG_BLOCK={SignalInterop.SIG_BLOCK} SIG_UNBLOCK={SignalInterop.SIG_UNBLOCK} SIG_SETMASK={SignalInterop.SIG_SETMASK} " +
                                    $"O_DIRECTORY={FileInterop.O_DIRECTORY} O_CLOEXEC={FileInterop.O_CLOEXEC} O_NONBLOCK={FileInterop.O_NONBLOCK}\n"));
        Assert.That(c, Does.Contain($"itimerspec={Marshal.SizeOf<TimerFdInterop.ITimerSpec>()} value={Marshal.OffsetOf<TimerFdInterop.ITimerSpec>(nameof(TimerFdInterop.ITimerSpec.ValueSec))} " +
                                    $"TFD_CLOEXEC={TimerFdInterop.TFD_CLOEXEC} TFD_NONBLOCK={TimerFdInterop.TFD_NONBLOCK} CLOCK_MONOTONIC={TimerFdInterop.CLOCK_MONOTONIC}\n"));
        Assert.That(c, Does.Contain($"POSIX_SPAWN_SETSIGMASK={SpawnInterop.POSIX_SPAWN_SETSIGMASK} POSIX_SPAWN_SETSIGDEF={SpawnInterop.POSIX_SPAWN_SETSIGDEF}\n"));
    }
}
