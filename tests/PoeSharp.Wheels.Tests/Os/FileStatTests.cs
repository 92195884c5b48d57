using PoeSharp.Os;

namespace PoeSharp.Wheels.Tests.Os;

/// <summary>The statx, open-by-path and lseek wrappers the file follower uses, on real files.</summary>
public sealed class FileStatTests
{
    [Test]
    public void StatAndFStatAgreeOnIdentityTypeAndSize()
    {
        var dir = Directory.CreateTempSubdirectory("poesharp-stat-").FullName;
        try
        {
            string path = Path.Combine(dir, "f");
            File.WriteAllText(path, "12345");
            var byName = FileInterop.Stat(path);
            Assert.That(byName.Ok, Is.True);
            Assert.That(byName.Value.IsRegular, Is.True);
            Assert.That(byName.Value.Size, Is.EqualTo(5));
            Assert.That(byName.Value.Links, Is.EqualTo(1u));

            using var fd = FileInterop.OpenPath(path, FileInterop.O_RDONLY).Value;
            var open = FileInterop.FStat(fd.Fd).Value;
            Assert.That(open.IsSameFile(byName.Value), Is.True);
            Assert.That(open, Is.EqualTo(byName.Value));
            Assert.That(FileInterop.Seek(fd.Fd, -2, FileInterop.SEEK_END).Value, Is.EqualTo(3));

            File.Move(path, path + ".old");
            File.WriteAllText(path, "");
            Assert.That(FileInterop.Stat(path).Value.IsSameFile(open), Is.False, "a new file at the same name");
            Assert.That(FileInterop.Stat(dir).Value.IsDirectory, Is.True);

            var missing = FileInterop.Stat(Path.Combine(dir, "missing"));
            Assert.That(missing.Ok, Is.False);
            Assert.That(missing.Error.Errno, Is.EqualTo(Errno.ENOENT));
            Assert.That(FileInterop.OpenPath(Path.Combine(dir, "missing"), FileInterop.O_RDONLY).Error.Errno, Is.EqualTo(Errno.ENOENT));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void APipeIsAFifoAndCannotSeek()
    {
        var (read, write) = PosixSocket.Pipe().Value;
        using (read)
        using (write)
        {
            Assert.That(FileInterop.FStat(read.Fd).Value.IsFifo, Is.True);
            Assert.That(FileInterop.Seek(read.Fd, 0, FileInterop.SEEK_CUR).Error.Errno, Is.EqualTo(Errno.ESPIPE));
        }
    }
}
