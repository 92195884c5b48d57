using System.Buffers;

namespace PoeSharp.Filters;

/// <summary>
/// The typed face of a filter: <typeparamref name="TIn"/> records come out of bytes,
/// <typeparamref name="TOut"/> records go into bytes. Wheels use the untyped <see cref="IFilter"/>.
/// </summary>
public interface IFilter<TIn, TOut> : IFilter
{
    /// <summary>Typed <see cref="IFilter.TryGet"/>. On <see cref="DecodeStatus.Error"/> use <see cref="LastError"/>.</summary>
    DecodeStatus TryGetOne(ReadOnlySpan<byte> input, out TIn? record, out int consumed);

    /// <summary>Typed <see cref="IFilter.Put"/>.</summary>
    void Put(TOut record, IBufferWriter<byte> output);

    /// <summary>The error of the last <see cref="TryGetOne"/> that returned <see cref="DecodeStatus.Error"/>.</summary>
    FilterError? LastError { get; }
}
