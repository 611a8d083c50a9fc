using System.Buffers.Binary;
using System.Numerics;

namespace Kvasir.Storage.Mvcc;

/// <summary>
/// An incremental CRC-32C (Castagnoli), as Go's <c>crc32.New(crc32.MakeTable(crc32.Castagnoli))</c>
/// computes it (initial value and final result inverted), on the CPU's CRC instruction when present.
/// </summary>
internal struct Crc32C
{
    private uint _crc;

    public Crc32C()
    {
        _crc = uint.MaxValue;
    }

    public readonly uint Sum => ~_crc;

    public void Append(ReadOnlySpan<byte> data)
    {
        var crc = _crc;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        _crc = crc;
    }
}
