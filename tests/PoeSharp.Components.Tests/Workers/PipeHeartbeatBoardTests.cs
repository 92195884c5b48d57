using PoeSharp.Components.Workers;

namespace PoeSharp.Components.Tests.Workers;

/// <summary>The pipe board's records, written and read in one process (no fork: both ends stay here).</summary>
public sealed class PipeHeartbeatBoardTests
{
    [Test]
    public void Begun_requests_answers_connections_and_retiring_reach_the_reader_even_when_records_span_reads()
    {
        using var board = new PipeHeartbeatBoard(2);
        board.Prepare(1, now: 10);
        string longTarget = "/" + new string('x', 300);
        // 40 begun records of up to 110 bytes: the reader's 512-byte reads cut some in two.
        for (int i = 0; i < 40; i++) board.RequestStarted(1, now: 1000 + i, "GET", i == 39 ? longTarget : $"/r{i}");
        board.ConnectionAccepted(1);
        board.ConnectionAccepted(1);
        for (int i = 0; i < 39; i++) board.Beat(1, now: 0, request: true);

        Assert.That(board.LastBeat(1, now: 50), Is.EqualTo(50));
        Assert.That(board.Requests(1), Is.EqualTo(39));
        Assert.That(board.Connections(1), Is.EqualTo(2));
        var (request, since) = board.Current(1);
        Assert.That(request, Is.EqualTo("GET " + longTarget[..(PipeHeartbeatBoard.MaxRequestText - 4)]), "cut to the longest text");
        Assert.That(since, Is.EqualTo(1039));
        Assert.That(board.Retired(1), Is.False);

        board.Beat(1, now: 0, request: true);
        board.Retiring(1);
        board.LastBeat(1, now: 60);
        Assert.That(board.Current(1).Request, Is.Null, "nothing in progress");
        Assert.That(board.Retired(1), Is.True);

        board.Prepare(1, now: 70);
        Assert.That((board.Requests(1), board.Connections(1), board.Retired(1)), Is.EqualTo((0, 0, false)), "a new worker starts from nothing");
    }

    [Test]
    public void Control_characters_and_spaces_in_a_target_do_not_break_the_status_line()
    {
        using var board = new PipeHeartbeatBoard(1);
        board.Prepare(0, now: 0);
        board.RequestStarted(0, now: 5, "GET", "/a b\nc");
        board.LastBeat(0, now: 6);
        Assert.That(board.Current(0).Request, Is.EqualTo("GET /a?b?c"));
    }
}
