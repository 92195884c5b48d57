using System.Buffers;
using System.Buffers.Binary;

namespace PoeSharp.Filters;

/// <summary>The built-in <see cref="IBlockLengthCodec"/>s.</summary>
public static class BlockLengthCodec
{
    /// <summary>POE::Filter::Block's default: the length in ASCII decimal, then a NUL byte ("5\0hello").</summary>
    public static IBlockLengthCodec Poe { get; } = new PoeDecimalCodec();

    /// <summary>A 4-byte big-endian unsigned length (network order), as many binary protocols use.</summary>
    public static IBlockLengthCodec BigEndian32 { get; } = new BigEndian32Codec();

    private sealed class PoeDecimalCodec : IBlockLengthCodec
    {
        private const int MaxDigits = 10; // int.MaxValue has 10 digits

        public int MaxPrefixLength => MaxDigits + 1;

        public int Encode(int length, Span<byte> destination)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(length);
            length.TryFormat(destination, out int written, default, System.Globalization.CultureInfo.InvariantCulture);
            destination[written] = 0;
            return written + 1;
        }

        public OperationStatus TryDecode(ReadOnlySpan<byte> input, out int length, out int prefixLength)
        {
            length = 0;
            prefixLength = 0;
            long value = 0;
            int limit = Math.Min(input.Length, MaxDigits + 1);
            for (int i = 0; i < limit; i++)
            {
                uint digit = (uint)(input[i] - '0');
                if (digit <= 9)
                {
                    value = value * 10 + digit;
                    continue;
                }
                if (input[i] != 0 || i == 0 || value > int.MaxValue) return OperationStatus.InvalidData;
                length = (int)value;
                prefixLength = i + 1;
                return OperationStatus.Done;
            }
            return input.Length > MaxDigits ? OperationStatus.InvalidData : OperationStatus.NeedMoreData;
        }
    }

    private sealed class BigEndian32Codec : IBlockLengthCodec
    {
        public int MaxPrefixLength => 4;

        public int Encode(int length, Span<byte> destination)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(length);
            BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)length);
            return 4;
        }

        public OperationStatus TryDecode(ReadOnlySpan<byte> input, out int length, out int prefixLength)
        {
            if (input.Length < 4)
            {
                length = prefixLength = 0;
                return OperationStatus.NeedMoreData;
            }
            uint value = BinaryPrimitives.ReadUInt32BigEndian(input);
            if (value > int.MaxValue)
            {
                length = prefixLength = 0;
                return OperationStatus.InvalidData;
            }
            length = (int)value;
            prefixLength = 4;
            return OperationStatus.Done;
        }
    }
}
