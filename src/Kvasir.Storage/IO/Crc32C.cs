using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kvasir.Storage.IO;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of WAL records and snapshot files. It runs on the CPU's CRC
/// instruction where there is one (SSE4.2, ARMv8) through <see cref="BitOperations.Crc32C(uint, ulong)"/>.
/// </summary>
/// <remarks>
/// <see cref="Update(uint, ReadOnlySpan{byte})"/> continues a raw running state (no final inversion), so a checksum can be
/// built over several pieces; <see cref="Compute"/> is the standard checksum of one buffer
/// (initial state all ones, result inverted): <c>Compute("123456789") == 0xE3069283</c>.
/// </remarks>
public static class Crc32C
{
    /// <summary>The initial running state of a standard CRC-32C.</summary>
    public const uint InitialState = 0xFFFFFFFFu;

    /// <summary>The standard CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(InitialState, data);

    /// <summary>Continues the running state <paramref name="state"/> over <paramref name="data"/>.</summary>
    public static uint Update(uint state, ReadOnlySpan<byte> data)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Kvasir's checksums read 8 bytes at a time in little-endian order");
        }

        ref var start = ref MemoryMarshal.GetReference(data);
        var length = data.Length;
        var i = 0;
        for (; length - i >= 8; i += 8)
        {
            state = BitOperations.Crc32C(state, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i)));
        }

        if (length - i >= 4)
        {
            state = BitOperations.Crc32C(state, Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, i)));
            i += 4;
        }

        for (; i < length; i++)
        {
            state = BitOperations.Crc32C(state, Unsafe.Add(ref start, i));
        }

        return state;
    }

    /// <summary>Continues the running state over one little-endian 64-bit value.</summary>
    public static uint Update(uint state, ulong value) => BitOperations.Crc32C(state, value);
}
