using System.Diagnostics;
using PoeSharp.Os;
using static PoeSharp.Os.SocketConstants;

namespace PoeSharp.Wheels.Tests.Os;

/// <summary>Compares the imported constants with the C headers (skipped without a C compiler).</summary>
public sealed class SocketConstantsTests
{
    [Test]
    public void ConstantsMatchTheCHeaders()
    {
        string dir = Path.Combine(Path.GetTempPath(), "poesharp-consts-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string src = Path.Combine(dir, "c.c"), exe = Path.Combine(dir, "c");
            File.WriteAllText(src, """
                #include <stdio.h>
                #include <errno.h>
                #include <fcntl.h>
                #include <sys/socket.h>
                #include <sys/un.h>
                #include <netinet/in.h>
                #include <netinet/tcp.h>
                int main(void) {
                  printf("%d %d %d %d %d %d %d %d %d\n", AF_UNIX, AF_INET, AF_INET6, SOCK_STREAM, SOCK_DGRAM, SOCK_NONBLOCK, SOCK_CLOEXEC, O_NONBLOCK, O_CLOEXEC);
                  printf("%d %d %d %d %d %d %d %d %d %d\n", SOL_SOCKET, SO_REUSEADDR, SO_ERROR, SO_SNDBUF, SO_RCVBUF, SO_REUSEPORT, IPPROTO_TCP, TCP_NODELAY, IPPROTO_IPV6, IPV6_V6ONLY);
                  printf("%d %d %d %d %d %d\n", SHUT_RD, SHUT_WR, SHUT_RDWR, MSG_NOSIGNAL, (int)sizeof(struct sockaddr_storage), (int)sizeof(((struct sockaddr_un*)0)->sun_path));
                  printf("%d %d %d %d %d %d\n", SO_TYPE, SO_ACCEPTCONN, SO_DOMAIN, F_GETFD, F_SETFD, FD_CLOEXEC);
                  printf("%d %d %d %d %d %d %d %d\n", EAGAIN, EINTR, EINPROGRESS, ECONNREFUSED, ECONNABORTED, EBADMSG, EPIPE, ENOBUFS);
                  return 0;
                }
                """);
            ProcessStartInfo psi;
            try
            {
                using var cc = Process.Start(new ProcessStartInfo("cc", $"-o {exe} {src}") { RedirectStandardError = true })!;
                cc.WaitForExit();
                if (cc.ExitCode != 0) Assert.Ignore("the C compiler failed: " + cc.StandardError.ReadToEnd());
                psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true };
            }
            catch (System.ComponentModel.Win32Exception)
            {
                Assert.Ignore("no C compiler");
                return;
            }
            using var run = Process.Start(psi)!;
            string output = run.StandardOutput.ReadToEnd();
            run.WaitForExit();
            string expected = string.Join("\n",
                $"{AF_UNIX} {AF_INET} {AF_INET6} {SOCK_STREAM} {SOCK_DGRAM} {SOCK_NONBLOCK} {SOCK_CLOEXEC} {O_NONBLOCK} {O_CLOEXEC}",
                $"{SOL_SOCKET} {SO_REUSEADDR} {SO_ERROR} {SO_SNDBUF} {SO_RCVBUF} {SO_REUSEPORT} {IPPROTO_TCP} {TCP_NODELAY} {IPPROTO_IPV6} {IPV6_V6ONLY}",
                $"{SHUT_RD} {SHUT_WR} {SHUT_RDWR} {MSG_NOSIGNAL} {SockAddrStorageSize} {UnixPathMax}",
                $"{SO_TYPE} {SO_ACCEPTCONN} {SO_DOMAIN} {F_GETFD} {F_SETFD} {FD_CLOEXEC}",
                $"{Errno.EAGAIN} {Errno.EINTR} {Errno.EINPROGRESS} {Errno.ECONNREFUSED} {Errno.ECONNABORTED} {Errno.EBADMSG} {Errno.EPIPE} {Errno.ENOBUFS}",
                "");
            Assert.That(output, Is.EqualTo(expected));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
