using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;
using Kvasir.Grpc.Hosting;
using Kvasir.Grpc.Hosting.Hpack;

namespace Kvasir.Grpc.Tests;

/// <summary>
/// The rewrite of an <c>:authority</c> written with a URL scheme, below Kestrel. The header blocks are
/// what Go's HPACK encoder (the one etcdctl and etcd's Go clients use) writes for these headers.
/// </summary>
public sealed class AuthorityRewriteTests
{
    // :method POST, :scheme http, :path /etcdserverpb.Maintenance/Status, :authority http://127.0.0.1:2379,
    // content-type application/grpc, user-agent grpc-go/1.26.0, te trailers — a fresh encoder's first block.
    private const string GoFirstBlock = "8386459760a924882d9dcb6571afa066a925a87510ac6e48d36a3f418f9d29aee30c044eae05c0b86e09975f5f8b1d75d0620d263d4c4d65647a8a9acac8b4c7602b89c5c140027465864d833505b11f";

    // The same headers again from the same encoder: every field indexed from the dynamic table.
    private const string GoSecondBlock = "8386c2c1c0bfbe";

    // The :authority field of the first block: literal with incremental indexing, static name 1, Huffman value.
    private const string GoAuthorityField = "418f9d29aee30c044eae05c0b86e09975f";

    [Theory]
    [InlineData("9d29aee30c044eae05c0b86e09975f", "http://127.0.0.1:2379")]
    [InlineData("9d29ad1718628390744e7426e09975ff", "https://localhost:2379")]
    [InlineData("089d5c0b8170dc132ebf", "127.0.0.1:2379")]
    [InlineData("", "")]
    public void HuffmanDecode_GoEncodings_GiveTheText(string hex, string text)
    {
        var decoded = new List<byte>();
        Assert.True(HpackHuffman.TryDecode(Convert.FromHexString(hex), decoded));
        Assert.Equal(text, Encoding.ASCII.GetString([.. decoded]));
    }

    [Theory]
    [InlineData("089d5c0b8170dc132e00")] // padding of 0-bits
    [InlineData("089d5c0b8170dc132ebfff")] // a whole byte of padding
    [InlineData("ffffffff")] // the end-of-string code inside the data
    public void HuffmanDecode_BadPaddingOrEos_Refused(string hex)
    {
        Assert.False(HpackHuffman.TryDecode(Convert.FromHexString(hex), []));
    }

    [Fact]
    public void TryRewrite_GoFirstBlock_AuthorityWithoutSchemeAndEverythingElseUnchanged()
    {
        var rewritten = HpackAuthority.TryRewrite(Convert.FromHexString(GoFirstBlock));

        Assert.NotNull(rewritten);
        var expected = GoFirstBlock.Replace(GoAuthorityField, "410e" + Convert.ToHexStringLower("127.0.0.1:2379"u8), StringComparison.Ordinal);
        Assert.Equal(expected, Convert.ToHexStringLower(rewritten));
    }

    [Theory]
    [InlineData(GoSecondBlock)] // indexed from the dynamic table
    [InlineData("418a089d5c0b8170dc132ebf")] // 127.0.0.1:2379, Huffman
    [InlineData("010e3132372e302e302e313a32333739")] // 127.0.0.1:2379, raw, without indexing
    [InlineData("")]
    public void TryRewrite_NoSchemedAuthority_Null(string hex)
    {
        Assert.Null(HpackAuthority.TryRewrite(Convert.FromHexString(hex)));
    }

    [Theory]
    [InlineData("0112687474703a2f2f6c6f63616c686f73743a31", "010b6c6f63616c686f73743a31")] // without indexing, raw
    [InlineData("111368747470733a2f2f6c6f63616c686f73743a31", "110b6c6f63616c686f73743a31")] // never indexed, raw https
    public void TryRewrite_OtherLiteralForms_Rewritten(string hex, string expected)
    {
        Assert.Equal(expected, Convert.ToHexStringLower(HpackAuthority.TryRewrite(Convert.FromHexString(hex))!));
    }

    [Theory]
    [InlineData("41")] // name index, no value
    [InlineData("418f9d29")] // value shorter than its length
    [InlineData("ff")] // integer that never ends
    [InlineData("418f9d29aee30c044eae05c0b86e099750")] // Huffman padding of 0-bits
    public void TryRewrite_TruncatedOrMalformed_NullWithoutThrowing(string hex)
    {
        Assert.Null(HpackAuthority.TryRewrite(Convert.FromHexString(hex)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task Pump_RandomSplits_RewritesTheBlockAndPassesEverythingElse(int seed)
    {
        var random = new Random(seed);
        var block = Convert.FromHexString(GoFirstBlock);
        var data = new byte[40_000];
        random.NextBytes(data);

        var input = new List<byte>();
        input.AddRange("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        input.AddRange(Frame(0x4, 0, 0, new byte[12])); // SETTINGS
        // HEADERS, padded and with priority, its block split into a CONTINUATION.
        var headersPayload = new List<byte> { 3 };
        headersPayload.AddRange(new byte[] { 0, 0, 0, 0, 15 });
        headersPayload.AddRange(block[..40]);
        headersPayload.AddRange(new byte[3]);
        input.AddRange(Frame(0x1, 0x8 | 0x20, 1, [.. headersPayload]));
        input.AddRange(Frame(0x9, 0x4, 1, block[40..]));
        input.AddRange(Frame(0x0, 0x1, 1, data)); // DATA larger than any read
        input.AddRange(Frame(0x1, 0x4 | 0x1, 3, block)); // a connection that rewrote keeps looking

        var expected = new List<byte>();
        expected.AddRange(input.GetRange(0, 24 + 9 + 12));
        var rewritten = HpackAuthority.TryRewrite(block)!;
        var rewrittenPayload = new List<byte> { 0, 0, 0, 0, 15 };
        rewrittenPayload.AddRange(rewritten);
        expected.AddRange(Frame(0x1, 0x20 | 0x4, 1, [.. rewrittenPayload]));
        expected.AddRange(Frame(0x0, 0x1, 1, data));
        expected.AddRange(Frame(0x1, 0x4 | 0x1, 3, rewritten));

        Assert.Equal(expected, await PumpAsync([.. input], random));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    public async Task Pump_NothingToRewrite_ByteForByte(int seed)
    {
        var random = new Random(seed);
        var input = new List<byte>();
        input.AddRange("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        input.AddRange(Frame(0x4, 0, 0, []));
        input.AddRange(Frame(0x1, 0x4, 1, Convert.FromHexString("8386418a089d5c0b8170dc132ebf")));
        input.AddRange(Frame(0x1, 0x4 | 0x1, 3, Convert.FromHexString(GoSecondBlock)));
        input.AddRange(Frame(0x1, 0x0, 5, Convert.FromHexString("8386"))); // HEADERS then not a CONTINUATION: malformed, passed on
        input.AddRange(Frame(0x8, 0, 0, [0, 0, 1, 0]));
        var bytes = input.ToArray();

        Assert.Equal(bytes, await PumpAsync(bytes, random));
    }

    private static async Task<List<byte>> PumpAsync(byte[] input, Random random)
    {
        var source = new Pipe();
        var target = new Pipe();
        var pump = AuthorityRewriter.CopyAsync(source.Reader, target.Writer, prefaceBytes: 24);
        var collected = CollectAsync(target.Reader);
        for (var pos = 0; pos < input.Length;)
        {
            var n = Math.Min(input.Length - pos, random.Next(1, 300));
            await source.Writer.WriteAsync(input.AsMemory(pos, n));
            pos += n;
        }

        await source.Writer.CompleteAsync();
        await pump.WaitAsync(TimeSpan.FromSeconds(10));
        return await collected.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static async Task<List<byte>> CollectAsync(PipeReader reader)
    {
        var all = new List<byte>();
        while (true)
        {
            var result = await reader.ReadAsync();
            foreach (var segment in result.Buffer)
            {
                all.AddRange(segment.ToArray());
            }

            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return all;
            }
        }
    }

    private static byte[] Frame(byte type, byte flags, uint stream, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(5), stream);
        payload.CopyTo(frame.AsSpan(9));
        return frame;
    }
}
