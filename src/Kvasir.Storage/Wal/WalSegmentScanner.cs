using System.Buffers.Binary;

namespace Kvasir.Storage.Wal;

/// <summary>
/// Reads the records of one segment held in memory and verifies each (FORMAT.md, "Reading and
/// repair"). In every segment but the last, anything short of a verified record or zeros to the end
/// is corruption. In the last segment, a record a crash left partly written ends the log: the scan
/// stops there and reports it in <see cref="Torn"/>; damage that no crash can produce (a header
/// failing its check, a CRC mismatch with every sector written, nonzero padding, data after a zero
/// header in the same sector) is corruption there too.
/// </summary>
internal ref struct WalSegmentScanner
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly ulong _seq;
    private readonly string _path;
    private readonly bool _isLast;

    public WalSegmentScanner(ReadOnlySpan<byte> data, ulong seq, string path, bool isLast)
    {
        _data = data;
        _seq = seq;
        _path = path;
        _isLast = isLast;
    }

    /// <summary>Where the next record starts; once the scan ended, where the log ends.</summary>
    public long Offset { get; private set; }

    /// <summary>The CRC of the last verified record.</summary>
    public uint LastCrc { get; private set; }

    /// <summary>Set when the scan ended at a torn record (last segment only).</summary>
    public WalTornTail? Torn { get; private set; }

    /// <summary>Reads the next record; false at the end of the log. Throws <see cref="WalCorruptException"/> on damage.</summary>
    public bool TryNext(out WalRecordView record)
    {
        record = default;
        var x = Offset;
        var f = (long)_data.Length;
        if (x >= f)
        {
            return false;
        }

        if (f - x < 8)
        {
            return _data[(int)x..].ContainsAnyExcept((byte)0) && Tear(x, "the file ends inside a record header");
        }

        var word = BinaryPrimitives.ReadUInt64LittleEndian(_data[(int)x..]);
        if (word == 0)
        {
            return EndAtZeroHeader(x);
        }

        var seed = WalRecordFormat.Seed(_seq, x);
        var length = (uint)word;
        var type = (byte)(word >> 32);
        if ((byte)(word >> 40) != 0 || (ushort)(word >> 48) != WalRecordFormat.HeaderCheck(seed, word))
        {
            throw Corrupt(x, "the record header fails its check");
        }

        if (!WalRecordFormat.IsKnown(type))
        {
            throw Corrupt(x, $"unknown record type {type}");
        }

        var size = WalRecordFormat.RecordSize(length);
        if (x + size > f)
        {
            return Tear(x, $"the record of {length} bytes runs past the end of the file");
        }

        var payloadStart = (int)x + WalRecordFormat.HeaderBytes;
        var payload = _data.Slice(payloadStart, (int)length);
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(_data[((int)x + 8)..]);
        var crc = WalRecordFormat.PayloadCrc(seed, word, payload);
        if (crc != stored)
        {
            if (_isLast && WalRecordFormat.HasUnwrittenSector(_data, x + 8, payloadStart + length))
            {
                return Tear(x, "the record holds sectors never written (CRC mismatch)");
            }

            throw Corrupt(x, $"CRC mismatch (stored {stored:x8}, computed {crc:x8})");
        }

        if (_data.Slice(payloadStart + (int)length, (int)(x + size) - payloadStart - (int)length).ContainsAnyExcept((byte)0))
        {
            throw Corrupt(x, "nonzero bytes in the record's padding");
        }

        Offset = x + size;
        LastCrc = crc;
        record = new WalRecordView(x, (WalRecordType)type, payload);
        return true;
    }

    private bool EndAtZeroHeader(long x)
    {
        // Nothing was written at x. Sectors are written whole, so the rest of x's sector must be
        // zero too; anything after that belongs to the same unsynced batch as the hole.
        var sectorEnd = (int)Math.Min(_data.Length, ((x / WalRecordFormat.SectorBytes) + 1) * WalRecordFormat.SectorBytes);
        if (_data[(int)x..sectorEnd].ContainsAnyExcept((byte)0))
        {
            throw Corrupt(x, "a zero record header is followed by data in the same sector");
        }

        return _data[sectorEnd..].ContainsAnyExcept((byte)0) && Tear(x, "sectors never written are followed by data of the same unsynced write");
    }

    /// <summary>Ends the scan at a torn record (last segment), or throws (any other segment). Returns false.</summary>
    private bool Tear(long x, string reason)
    {
        if (!_isLast)
        {
            throw Corrupt(x, reason + " in a segment that is not the last");
        }

        var lastNonZero = _data[(int)x..].LastIndexOfAnyExcept((byte)0);
        Torn = new WalTornTail(_path, x, reason, lastNonZero + 1);
        return false;
    }

    private readonly WalCorruptException Corrupt(long offset, string reason) => new(_path, offset, reason);
}
