using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Kvasir.Grpc.Hosting;

namespace Kvasir.Grpc.Tests;

/// <summary>
/// The :authority rewrite in front of Kestrel's HTTP/2: an authority with a URL scheme (as etcd
/// clients send for an endpoint written <c>http://host:port</c>) becomes host:port; everything
/// else passes byte for byte, however the transport splits the bytes.
/// </summary>
public sealed class AuthorityFixTests
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rewrite_LiteralAuthorityWithScheme_HostAndPortKeepingTheRepresentation(bool huffman)
    {
        // :method POST (indexed), :authority literal with incremental indexing, :path literal without indexing.
        byte[] block = [0x83, .. Literal(0x40, 1, "http://127.0.0.1:2379", huffman), .. Literal(0x00, 4, "/etcdserverpb.KV/Range", huffman)];
        Assert.Equal(HpackAuthority.Outcome.Rewritten, HpackAuthority.Rewrite(block, out var rewritten));
        byte[] expected = [0x83, .. Literal(0x40, 1, "127.0.0.1:2379", false), .. Literal(0x00, 4, "/etcdserverpb.KV/Range", huffman)];
        Assert.Equal(expected, rewritten);
    }

    [Fact]
    public void Rewrite_CleanIndexedOrMissingAuthority_LeftAlone()
    {
        Assert.Equal(HpackAuthority.Outcome.Clean, HpackAuthority.Rewrite([0x83, .. Literal(0x40, 1, "127.0.0.1:2379", true)], out var a));
        Assert.Equal(HpackAuthority.Outcome.NoLiteral, HpackAuthority.Rewrite([0x83, 0xBE, .. Literal(0x00, 4, "/x", false)], out var b));
        Assert.Equal(HpackAuthority.Outcome.Malformed, HpackAuthority.Rewrite([0x41, 0x7F], out var c));
        Assert.Equal(HpackAuthority.Outcome.Malformed, HpackAuthority.Rewrite([0x41, 0x81, 0x00], out var d));
        Assert.Null(a ?? b ?? c ?? d);
    }

    [Theory]
    [InlineData("http://127.0.0.1:2379", "127.0.0.1:2379")]
    [InlineData("https://etcd-0.example:2379/", "etcd-0.example:2379")]
    [InlineData("127.0.0.1:2379", null)]
    [InlineData("http://", null)]
    public void WithoutScheme_Authorities_HostAndPortOrNull(string authority, string? expected) =>
        Assert.Equal(expected, HpackAuthority.WithoutScheme(authority));

    [Fact]
    public async Task Reader_BadAuthorityThenMoreRequests_EveryHeadersFrameRewrittenAndTheRestIntact()
    {
        var settings = Frame(0x4, 0, 0, []);
        var first = Frame(0x1, 0x4 | 0x1, 1, [0x83, .. Literal(0x40, 1, "http://h:1", true)]);
        var data = Frame(0x0, 0x1, 1, Encoding.ASCII.GetBytes("payload"));
        var second = Frame(0x1, 0x4 | 0x8, 3, [3, 0x83, .. Literal(0x40, 1, "http://h:1", false), 0, 0, 0]);
        byte[] input = [.. Preface, .. settings, .. first, .. data, .. second];
        byte[] expected =
        [
            .. Preface, .. settings, .. Frame(0x1, 0x4 | 0x1, 1, [0x83, .. Literal(0x40, 1, "h:1", false)]),
            .. data, .. Frame(0x1, 0x4, 3, [0x83, .. Literal(0x40, 1, "h:1", false)]),
        ];
        foreach (var chunk in new[] { 1, 5, 9, 64, input.Length })
        {
            Assert.Equal(expected, await ThroughReaderAsync(input, chunk));
        }
    }

    [Fact]
    public async Task Reader_CleanAuthority_PassesEveryByteUntouched()
    {
        var first = Frame(0x1, 0x4, 1, [0x83, .. Literal(0x40, 1, "127.0.0.1:2379", true)]);
        var later = Frame(0x1, 0x4, 3, [0x83, .. Literal(0x40, 1, "http://h:1", false)]);
        byte[] input = [.. Preface, .. Frame(0x4, 0, 0, []), .. first, .. Frame(0x0, 0x1, 1, [1, 2, 3]), .. later];
        foreach (var chunk in new[] { 1, 7, 9, 100, input.Length })
        {
            Assert.Equal(input, await ThroughReaderAsync(input, chunk));
        }
    }

    // Writes the input in chunks of the given size while a consumer reads through the fix, consuming a byte less than offered when it can.
    private static async Task<byte[]> ThroughReaderAsync(byte[] input, int chunk)
    {
        var pipe = new Pipe();
        var reader = new AuthorityFixReader(pipe.Reader);
        var writer = Task.Run(async () =>
        {
            for (var at = 0; at < input.Length; at += chunk)
            {
                await pipe.Writer.WriteAsync(input.AsMemory(at, Math.Min(chunk, input.Length - at)));
            }

            await pipe.Writer.CompleteAsync();
        });
        var output = new List<byte>();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var result = await reader.ReadAsync(bound.Token);
            var buffer = result.Buffer;
            var take = result.IsCompleted || buffer.Length < 2 ? buffer.Length : buffer.Length - 1;
            output.AddRange(buffer.Slice(0, take).ToArray());
            reader.AdvanceTo(buffer.GetPosition(take), buffer.End);
            if (result.IsCompleted && take == buffer.Length)
            {
                break;
            }
        }

        await writer;
        return [.. output];
    }

    private static byte[] Frame(byte type, byte flags, int stream, byte[] payload) =>
        [(byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length, type, flags, 0, 0, 0, (byte)stream, .. payload];

    // A literal header field with an indexed name (index fits the prefix) and a value, plain or Huffman-coded.
    private static byte[] Literal(byte pattern, int nameIndex, string value, bool huffman)
    {
        var bytes = huffman ? HuffmanEncode(Encoding.ASCII.GetBytes(value)) : Encoding.ASCII.GetBytes(value);
        Assert.True(bytes.Length < 127);
        return [(byte)(pattern | nameIndex), (byte)((huffman ? 0x80 : 0) | bytes.Length), .. bytes];
    }

    private static byte[] HuffmanEncode(byte[] value)
    {
        var bits = new List<bool>();
        foreach (var b in value)
        {
            var code = HpackHuffman.Codes[b];
            for (var i = HpackHuffman.Lengths[b] - 1; i >= 0; i--)
            {
                bits.Add(((code >> i) & 1) != 0);
            }
        }

        while (bits.Count % 8 != 0)
        {
            bits.Add(true);
        }

        var result = new byte[bits.Count / 8];
        for (var i = 0; i < bits.Count; i++)
        {
            if (bits[i])
            {
                result[i / 8] |= (byte)(0x80 >> (i % 8));
            }
        }

        return result;
    }
}
