using PoeSharp.Filters;

namespace PoeSharp.Wheels.Drivers;

/// <summary>What <see cref="InputBuffer.Decode"/> hands records to: a wheel, or one output pipe of a Run wheel.</summary>
internal interface IRecordSink
{
    /// <summary>The event for the next record, or null to stop decoding (finished, disposed, no event).</summary>
    string? RecordEvent { get; }

    /// <summary>The filter for the next record; a handler may switch it between records.</summary>
    IFilter DecodeFilter { get; }

    /// <summary>Delivers one record with <paramref name="ev"/>.</summary>
    void Deliver(string ev, object? record);

    /// <summary>The filter rejected the bytes (<paramref name="message"/> says why): reading ends.</summary>
    void DecodeFailed(string message);

    /// <summary>True when the buffer should be returned to the pool even with bytes pending (the reader is gone).</summary>
    bool ReleaseAll { get; }
}
