using System.Buffers;
using System.Text;

namespace PoeSharp.Filters;

/// <summary>
/// Text lines (POE::Filter::Line). Records are strings without their terminator; Put appends the output
/// terminator ("\r\n" by default).
/// </summary>
/// <remarks>
/// <para>Input terminators, as POE: by default any of CRLF, LF, CR or LFCR, decided line by line; a
/// literal (<see cref="LineFilterOptions.InputLiteral"/> or <see cref="LineFilterOptions.Literal"/>);
/// or autodetection, which locks in the first terminator seen.</para>
/// <para>Deviation from POE: when a line ends with CR (or LF) as the last byte read, POE ends the line
/// there and, if the LF (or CR) of the same CRLF (LFCR) arrives in the next read, returns a spurious empty
/// line. This filter also returns the line at once (no waiting for the next byte, so CR-only peers are not
/// delayed) but remembers the half terminator and skips the matching byte if it is the next one to arrive.
/// The records are therefore the same however the stream is split. The skipped byte stays in the caller's
/// buffer until the next record is returned (a <see cref="DecodeStatus.NeedMoreData"/> consumes nothing);
/// if the caller switches to another filter right after such a line, that byte goes to the new filter, as in POE.</para>
/// <para>A line longer than <see cref="LineFilterOptions.MaxLineLength"/> bytes (64 KiB by default; POE dies
/// at 64 MiB) is a <see cref="DecodeStatus.Error"/> that consumes all the input given; the framing is then
/// lost, so every later call with input returns the same error until <see cref="Reset"/>.</para>
/// <para>Put does not look for terminators inside a record (neither does POE). POE's <c>InputRegexp</c> is not
/// supported. Bytes that are not valid in the encoding decode to U+FFFD. The scan never revisits bytes: the
/// filter remembers how far it has searched for a terminator.</para>
/// </remarks>
public sealed class LineFilter : IFilter<string, string>
{
    private const byte CR = 0x0D;
    private const byte LF = 0x0A;

    private enum InputMode : byte { AnyNewline, Autodetect, Literal }

    private static readonly Encoding DefaultEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
    private static readonly LineFilterOptions DefaultOptions = new();   // immutable: shared by every default filter
    private static readonly byte[] CrLf = [CR, LF];                      // only ever read

    private readonly LineFilterOptions _options;
    private readonly Encoding _encoding;
    private readonly byte[] _outputTerminator;
    private readonly int _maxLineLength;
    private readonly InputMode _configuredMode;

    private InputMode _mode;
    private byte[]? _inputTerminator;   // set in Literal mode
    private byte _pendingPartner;       // 0, or the byte that would complete a CR/LF that ended the last input
    private int _lineStart;             // 1 when input[0] is the completed partner byte, to be skipped
    private int _scanned;               // input[.._scanned] holds no terminator (never rescan)
    private FilterError? _error;        // sticky: framing lost

    /// <summary>A line filter with POE's defaults: any newline in, "\r\n" out, UTF-8, 64 KiB lines.</summary>
    public LineFilter() : this(DefaultOptions) { }

    /// <summary>A line filter with the given options.</summary>
    /// <exception cref="ArgumentException">The options contradict each other or are out of range.</exception>
    public LineFilter(LineFilterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _encoding = options.Encoding ?? DefaultEncoding;
        if (!_encoding.GetBytes("\r\na").AsSpan().SequenceEqual("\r\na"u8))
            ThrowHelper.Argument($"LineFilter needs an ASCII-compatible encoding (UTF-8, ASCII, Latin-1); {_encoding.WebName} encodes CR/LF differently.", nameof(options));
        if (options.MaxLineLength < 1)
            ThrowHelper.Argument($"MaxLineLength must be at least 1 byte (got {options.MaxLineLength}); the default is {LineFilterOptions.DefaultMaxLineLength}.", nameof(options));
        _maxLineLength = options.MaxLineLength;

        string? input = options.InputLiteral, output = options.OutputLiteral;
        if (options.Literal is not null)
        {
            if (input is not null || output is not null || options.AutodetectInput)
                ThrowHelper.Argument("LineFilter: Literal sets both terminators; do not combine it with InputLiteral, OutputLiteral or AutodetectInput.", nameof(options));
            input = output = options.Literal;
        }
        if (options.AutodetectInput && input is not null)
            ThrowHelper.Argument("LineFilter: AutodetectInput chooses the input terminator itself; leave InputLiteral null.", nameof(options));
        if (input is { Length: 0 } || output is { Length: 0 })
            ThrowHelper.Argument("LineFilter: terminators must not be empty; use null for the default (any newline in, \"\\r\\n\" out).", nameof(options));

        _outputTerminator = output is null ? CrLf : _encoding.GetBytes(output);
        if (input is not null)
        {
            _configuredMode = InputMode.Literal;
            _inputTerminator = _encoding.GetBytes(input);
        }
        else
        {
            _configuredMode = options.AutodetectInput ? InputMode.Autodetect : InputMode.AnyNewline;
        }
        _mode = _configuredMode;
    }

    /// <inheritdoc />
    public string Name => "Line";

    /// <summary>The options this filter was made with.</summary>
    public LineFilterOptions Options => _options;

    /// <inheritdoc />
    public FilterError? LastError { get; private set; }

    /// <inheritdoc />
    public DecodeStatus TryGetOne(ReadOnlySpan<byte> input, out string? record, out int consumed)
    {
        record = null;
        consumed = 0;
        if (input.IsEmpty) return DecodeStatus.NeedMoreData;
        if (_error is not null) return Fail(input.Length, out consumed);

        if (_pendingPartner != 0)
        {
            // The previous line ended with the last byte of the input: the first byte decides whether
            // it completes a two-byte terminator.
            bool completes = input[0] == _pendingPartner;
            _lineStart = completes ? 1 : 0;
            if (_mode == InputMode.Autodetect)
            {
                byte first = _pendingPartner == LF ? CR : LF;
                _inputTerminator = completes ? [first, _pendingPartner] : [first];
                _mode = InputMode.Literal;
            }
            _pendingPartner = 0;
        }

        int start = _lineStart;
        int from = Math.Max(_scanned, start);
        ReadOnlySpan<byte> rest = input[from..];
        int lineEnd, terminatorLength;
        if (_mode == InputMode.Literal)
        {
            byte[] terminator = _inputTerminator!;
            int index = terminator.Length == 1 ? rest.IndexOf(terminator[0]) : rest.IndexOf(terminator);
            if (index < 0)
            {
                // A terminator may straddle the end: keep its possible first bytes for the next scan.
                _scanned = Math.Max(start, input.Length - (terminator.Length - 1));
                return input.Length - start - (terminator.Length - 1) > _maxLineLength
                    ? TooLong(input.Length, out consumed)
                    : DecodeStatus.NeedMoreData;
            }
            lineEnd = from + index;
            terminatorLength = terminator.Length;
        }
        else
        {
            int index = rest.IndexOfAny(CR, LF);
            if (index < 0)
            {
                _scanned = input.Length;
                return input.Length - start > _maxLineLength ? TooLong(input.Length, out consumed) : DecodeStatus.NeedMoreData;
            }
            lineEnd = from + index;
            byte first = input[lineEnd];
            byte partner = first == CR ? LF : CR;
            if (lineEnd + 1 < input.Length)
            {
                terminatorLength = input[lineEnd + 1] == partner ? 2 : 1;
                if (_mode == InputMode.Autodetect)
                {
                    _inputTerminator = terminatorLength == 2 ? [first, partner] : [first];
                    _mode = InputMode.Literal;
                }
            }
            else
            {
                terminatorLength = 1;
                _pendingPartner = partner;
            }
        }

        if (lineEnd - start > _maxLineLength) return TooLong(input.Length, out consumed);
        record = lineEnd == start ? string.Empty : _encoding.GetString(input[start..lineEnd]);
        consumed = lineEnd + terminatorLength;
        _lineStart = 0;
        _scanned = 0;
        return DecodeStatus.Record;
    }

    private DecodeStatus TooLong(int inputLength, out int consumed)
    {
        _error = new FilterError(Name, $"line exceeds MaxLineLength ({_maxLineLength} bytes); the stream's framing is lost.");
        _pendingPartner = 0;
        _lineStart = 0;
        _scanned = 0;
        return Fail(inputLength, out consumed);
    }

    private DecodeStatus Fail(int inputLength, out int consumed)
    {
        LastError = _error;
        consumed = inputLength;
        return DecodeStatus.Error;
    }

    /// <inheritdoc />
    public DecodeStatus TryGet(ReadOnlySpan<byte> input, out object? record, out int consumed)
    {
        DecodeStatus status = TryGetOne(input, out string? line, out consumed);
        record = status == DecodeStatus.Error ? LastError : line;
        return status;
    }

    /// <inheritdoc />
    public void Put(string record, IBufferWriter<byte> output)
    {
        if (record is null) ThrowHelper.WrongRecordType(Name, "string", record);
        ArgumentNullException.ThrowIfNull(output);
        byte[] terminator = _outputTerminator;
        Span<byte> span = output.GetSpan(_encoding.GetMaxByteCount(record.Length) + terminator.Length);
        int written = _encoding.GetBytes(record, span);
        terminator.CopyTo(span[written..]);
        output.Advance(written + terminator.Length);
    }

    /// <inheritdoc />
    public void Put(object record, IBufferWriter<byte> output)
    {
        if (record is not string line) { ThrowHelper.WrongRecordType(Name, "string", record); return; }
        Put(line, output);
    }

    /// <inheritdoc />
    public void Reset()
    {
        _mode = _configuredMode;
        if (_configuredMode != InputMode.Literal) _inputTerminator = null;
        _pendingPartner = 0;
        _lineStart = 0;
        _scanned = 0;
        _error = null;
        LastError = null;
    }

    /// <inheritdoc />
    public IFilter Clone() => new LineFilter(_options);
}
