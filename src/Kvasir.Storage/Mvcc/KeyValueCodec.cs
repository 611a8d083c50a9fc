using Kvasir.Storage.Backend;

namespace Kvasir.Storage.Mvcc;

/// <summary>
/// Reads the fields of an encoded mvccpb.KeyValue straight from its bytes, without allocating the value:
/// the rebuild of the index on open needs the key, create revision, version and lease of every row.
/// </summary>
internal static class KeyValueCodec
{
    public static void ReadHeader(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> key, out long createRevision, out long version, out long lease)
    {
        key = default;
        createRevision = 0;
        version = 0;
        lease = 0;
        var pos = 0;
        while (pos < data.Length)
        {
            var tag = ReadVarint(data, ref pos);
            var field = (int)(tag >> 3);
            var wire = (int)(tag & 7);
            switch (wire)
            {
                case 0:
                    var v = (long)ReadVarint(data, ref pos);
                    switch (field)
                    {
                        case 2:
                            createRevision = v;
                            break;
                        case 4:
                            version = v;
                            break;
                        case 6:
                            lease = v;
                            break;
                    }

                    break;
                case 2:
                    var len = (int)ReadVarint(data, ref pos);
                    if (len < 0 || pos + len > data.Length)
                    {
                        throw Corrupt();
                    }

                    if (field == 1)
                    {
                        key = data.Slice(pos, len);
                    }

                    pos += len;
                    break;
                case 1:
                    pos += 8;
                    break;
                case 5:
                    pos += 4;
                    break;
                default:
                    throw Corrupt();
            }
        }

        if (pos != data.Length)
        {
            throw Corrupt();
        }
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (pos >= data.Length)
            {
                throw Corrupt();
            }

            var b = data[pos++];
            result |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw Corrupt();
    }

    private static BackendException Corrupt() => new("malformed KeyValue in the key table");
}
