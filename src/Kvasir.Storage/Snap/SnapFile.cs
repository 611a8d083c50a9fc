using System.Buffers.Binary;
using Google.Protobuf;
using Kvasir.Raft;
using Kvasir.Storage.IO;

namespace Kvasir.Storage.Snap;

/// <summary>
/// The bytes of a .snap file (FORMAT.md, "Snapshot files"): magic, version, a CRC32C of everything
/// after it, the SnapshotMetadata, the payload.
/// </summary>
internal static class SnapFile
{
    public const uint FormatVersion = 1;
    public const int FixedBytes = 28;

    public static ReadOnlySpan<byte> Magic => "KVASIRSN"u8;

    public static byte[] Encode(SnapshotMetadata metadata, ReadOnlySpan<byte> payload)
    {
        var metadataBytes = metadata.CalculateSize();
        var total = (long)FixedBytes + metadataBytes + payload.Length;
        if (total > Array.MaxLength)
        {
            throw new ArgumentException($"snap: a snapshot file of {total} bytes is too large", nameof(payload));
        }

        var bytes = new byte[total];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], FormatVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], (uint)metadataBytes);
        metadata.WriteTo(span.Slice(20, metadataBytes));
        BinaryPrimitives.WriteUInt64LittleEndian(span[(20 + metadataBytes)..], (ulong)payload.Length);
        payload.CopyTo(span[(FixedBytes + metadataBytes)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], Crc32C.Compute(span[16..]));
        return bytes;
    }

    /// <summary>Decodes and verifies a whole file; throws <see cref="SnapCorruptException"/> naming <paramref name="path"/>.</summary>
    public static (SnapshotMetadata Metadata, byte[] Payload) Decode(ReadOnlySpan<byte> bytes, string path)
    {
        if (bytes.Length < FixedBytes || !bytes[..8].SequenceEqual(Magic))
        {
            throw new SnapCorruptException(path, bytes.Length < FixedBytes ? $"only {bytes.Length} bytes, shorter than any snapshot file" : "not a Kvasir snapshot file (bad magic)");
        }

        var version = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
        if (version != FormatVersion)
        {
            throw new SnapCorruptException(path, $"format version {version}; this Kvasir reads version {FormatVersion}");
        }

        var metadataBytes = BinaryPrimitives.ReadUInt32LittleEndian(bytes[16..]);
        if (metadataBytes > bytes.Length - FixedBytes)
        {
            throw new SnapCorruptException(path, $"metadata length {metadataBytes} runs past the end of the file");
        }

        var payloadBytes = BinaryPrimitives.ReadUInt64LittleEndian(bytes[(20 + (int)metadataBytes)..]);
        if (payloadBytes != (ulong)(bytes.Length - FixedBytes - (int)metadataBytes))
        {
            throw new SnapCorruptException(path, $"payload length {payloadBytes} does not match the file's {bytes.Length} bytes");
        }

        var stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]);
        var crc = Crc32C.Compute(bytes[16..]);
        if (stored != crc)
        {
            throw new SnapCorruptException(path, $"CRC mismatch (stored {stored:x8}, computed {crc:x8})");
        }

        SnapshotMetadata metadata;
        try
        {
            metadata = SnapshotMetadata.Parser.ParseFrom(bytes.Slice(20, (int)metadataBytes));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new SnapCorruptException(path, $"the metadata does not parse: {e.Message}");
        }

        return (metadata, bytes[(FixedBytes + (int)metadataBytes)..].ToArray());
    }
}
