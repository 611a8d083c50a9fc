using System.Text;
using Kvasir.Storage.IO;

namespace Kvasir.Storage.Tests.IO;

public sealed class Crc32CTests
{
    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xC1D04330u)]
    [InlineData("123456789", 0xE3069283u)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x22620404u)]
    public void Compute_KnownVectors_MatchCastagnoli(string text, uint expected) =>
        Assert.Equal(expected, Crc32C.Compute(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void Compute_ThirtyTwoZeroBytes_MatchesRfc3720() => Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));

    [Fact]
    public void Update_InPieces_EqualsOneShot()
    {
        var data = new byte[1000];
        new Random(5).NextBytes(data);
        for (var split = 0; split <= data.Length; split += 37)
        {
            var state = Crc32C.Update(Crc32C.InitialState, data.AsSpan(0, split));
            Assert.Equal(Crc32C.Compute(data), ~Crc32C.Update(state, data.AsSpan(split)));
        }
    }
}
