using Google.Protobuf;

namespace Kvasir.Client.Tests;

public sealed class KeyRangeTests
{
    [Theory]
    [InlineData(new byte[] { 0x61 }, new byte[] { 0x62 })]
    [InlineData(new byte[] { 0x61, 0xff }, new byte[] { 0x62 })]
    [InlineData(new byte[] { 0x61, 0xfe, 0xff, 0xff }, new byte[] { 0x61, 0xff })]
    [InlineData(new byte[] { 0xff, 0xff }, new byte[] { 0 })]
    [InlineData(new byte[] { }, new byte[] { 0 })]
    public void PrefixEnd_IncrementsLastByteBelowFf(byte[] prefix, byte[] expected)
    {
        Assert.Equal(expected, KeyRange.PrefixEnd(ByteString.CopyFrom(prefix)).ToByteArray());
    }
}
