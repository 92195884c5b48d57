using System.Buffers;

namespace PoeSharp.Filters;

/// <summary>
/// A pipeline (POE::Filter::Stackable): a framing filter turns bytes into records, then record stages
/// (<see cref="IRecordStage"/>: Grep, Map or your own) process them. Decoding runs first to last, encoding
/// last to first, as in POE.
/// </summary>
/// <remarks>
/// <para>POE stacks any filters; here only the bottom one frames bytes (<see cref="Frame"/>) and the rest are
/// record stages. POE's <c>push</c>/<c>pop</c>/<c>shift</c>/<c>unshift</c> work on the stages;
/// <see cref="FilterTypes"/> lists the frame and the stages.</para>
/// <para>When stages drop records, their bytes can only be reported as consumed together with the next record
/// that survives (<see cref="DecodeStatus.NeedMoreData"/> consumes nothing), so until then they stay in the
/// caller's buffer; the filter remembers where they end and does not decode them twice. A stage that drops
/// everything therefore lets the caller's buffer grow: bound it in the caller.</para>
/// <para>A framing error from <see cref="Frame"/> is returned as is, without passing through the stages.</para>
/// </remarks>
public sealed class StackableFilter : IFilter<object, object>
{
    private readonly IFilter _frame;
    private readonly List<IRecordStage> _stages;
    private int _dropped; // input[.._dropped] was decoded into records that a stage dropped

    /// <summary>A pipeline of <paramref name="frame"/> and then <paramref name="stages"/>, in decoding order.</summary>
    /// <exception cref="ArgumentException">A filter or stage is null, or the frame is itself a stackable filter's part.</exception>
    public StackableFilter(IFilter frame, params IRecordStage[] stages)
    {
        if (frame is null) ThrowHelper.Argument("StackableFilter needs a framing filter (Line, Block, ...) at the bottom.", nameof(frame));
        ArgumentNullException.ThrowIfNull(stages);
        _frame = frame;
        _stages = new List<IRecordStage>(stages.Length);
        Push(stages);
    }

    /// <inheritdoc />
    public string Name => "Stackable";

    /// <summary>The filter that frames bytes into records (the bottom of the stack).</summary>
    public IFilter Frame => _frame;

    /// <summary>The record stages, in decoding order.</summary>
    public IReadOnlyList<IRecordStage> Stages => _stages;

    /// <summary>The names of the frame and the stages, in decoding order (POE's <c>filter_types</c>).</summary>
    public IReadOnlyList<string> FilterTypes
    {
        get
        {
            var names = new string[_stages.Count + 1];
            names[0] = _frame.Name;
            for (int i = 0; i < _stages.Count; i++) names[i + 1] = _stages[i].Name;
            return names;
        }
    }

    /// <inheritdoc />
    public FilterError? LastError { get; private set; }

    /// <summary>Appends stages after the last one (POE's <c>push</c>).</summary>
    public void Push(params IRecordStage[] stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        foreach (IRecordStage stage in stages)
            if (stage is null) ThrowHelper.Argument("StackableFilter: stages must not be null.", nameof(stages));
        _stages.AddRange(stages);
    }

    /// <summary>Inserts stages before the first one, keeping their order (POE's <c>unshift</c>).</summary>
    public void Unshift(params IRecordStage[] stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        foreach (IRecordStage stage in stages)
            if (stage is null) ThrowHelper.Argument("StackableFilter: stages must not be null.", nameof(stages));
        _stages.InsertRange(0, stages);
    }

    /// <summary>Removes and returns the last stage, or null when there is none (POE's <c>pop</c>).</summary>
    public IRecordStage? Pop()
    {
        if (_stages.Count == 0) return null;
        IRecordStage last = _stages[^1];
        _stages.RemoveAt(_stages.Count - 1);
        return last;
    }

    /// <summary>Removes and returns the first stage, or null when there is none (POE's <c>shift</c>).</summary>
    public IRecordStage? Shift()
    {
        if (_stages.Count == 0) return null;
        IRecordStage first = _stages[0];
        _stages.RemoveAt(0);
        return first;
    }

    /// <inheritdoc />
    public DecodeStatus TryGetOne(ReadOnlySpan<byte> input, out object? record, out int consumed)
    {
        if (input.Length < _dropped)
            throw new InvalidOperationException("StackableFilter: the input lost bytes it had not consumed; pass every unconsumed byte again, or call Reset first.");
        int offset = _dropped;
        while (true)
        {
            DecodeStatus status = _frame.TryGet(input[offset..], out object? item, out int used);
            if (status == DecodeStatus.NeedMoreData)
            {
                _dropped = offset;
                record = null;
                consumed = 0;
                return DecodeStatus.NeedMoreData;
            }
            offset += used;
            if (status == DecodeStatus.Error)
            {
                _dropped = 0;
                LastError = item as FilterError ?? new FilterError(_frame.Name, "framing error");
                record = LastError;
                consumed = offset;
                return DecodeStatus.Error;
            }
            if (RunGet(ref item))
            {
                _dropped = 0;
                record = item;
                consumed = offset;
                return DecodeStatus.Record;
            }
        }
    }

    private bool RunGet(ref object? item)
    {
        foreach (IRecordStage stage in _stages)
            if (!stage.TryGet(item, out item)) return false;
        return true;
    }

    /// <inheritdoc />
    public DecodeStatus TryGet(ReadOnlySpan<byte> input, out object? record, out int consumed)
        => TryGetOne(input, out record, out consumed);

    /// <summary>Runs <paramref name="record"/> through the stages last to first, then the frame writes it (unless a stage dropped it).</summary>
    /// <exception cref="ArgumentException">The frame does not accept the record's type, or a stage turned it into null.</exception>
    public void Put(object record, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        object? item = record;
        for (int i = _stages.Count - 1; i >= 0; i--)
            if (!_stages[i].TryPut(item, out item)) return;
        if (item is null) ThrowHelper.Argument("StackableFilter: a stage turned the record into null, which the frame cannot write.", nameof(record));
        _frame.Put(item, output);
    }

    /// <inheritdoc />
    public void Reset()
    {
        _frame.Reset();
        foreach (IRecordStage stage in _stages) stage.Reset();
        _dropped = 0;
        LastError = null;
    }

    /// <inheritdoc />
    public IFilter Clone()
    {
        var stages = new IRecordStage[_stages.Count];
        for (int i = 0; i < stages.Length; i++) stages[i] = _stages[i].Clone();
        return new StackableFilter(_frame.Clone(), stages);
    }
}
