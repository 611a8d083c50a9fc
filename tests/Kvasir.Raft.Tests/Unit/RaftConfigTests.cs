using Kvasir.Raft.Tests.Harness;

namespace Kvasir.Raft.Tests.Unit;

public sealed class RaftConfigTests
{
    private static RaftConfig Valid() => TestRaft.Config(1, new MemoryRaftLog(Fixtures.Voters(1)));

    public static TheoryData<string, Action<RaftConfig>> Invalid() => new()
    {
        { "Id", c => c.Id = 0 },
        { "HeartbeatTick", c => c.HeartbeatTick = 0 },
        { "ElectionTick", c => c.ElectionTick = 1 },
        { "Storage", c => c.Storage = null },
        { "MaxInflightMsgs", c => c.MaxInflightMsgs = 0 },
        { "MaxPendingReadIndex", c => c.MaxPendingReadIndex = 0 },
        { "MaxInflightBytes", c => { c.MaxSizePerMsg = 100; c.MaxInflightBytes = 10; } },
        { "ReadOnlyOption", c => { c.CheckQuorum = false; c.ReadOnlyOption = ReadOnlyOption.LeaseBased; } },
        { "ReadOnlyOption", c => c.ReadOnlyOption = (ReadOnlyOption)7 },
        { "Logger", c => c.Logger = null! },
        { "Random", c => c.Random = null },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_BadField_ThrowsNamingIt(string field, Action<RaftConfig> spoil)
    {
        var c = Valid();
        spoil(c);
        var ex = Assert.Throws<ArgumentException>(() => new RawNode(c));
        Assert.Equal(field, ex.ParamName);
    }

    [Fact]
    public void Validate_Defaults_AreValidOnceStorageIdAndRandomAreSet()
    {
        var c = new RaftConfig { Id = 7, Storage = new MemoryRaftLog(), Random = new Random(1) };
        c.Validate();
        Assert.Equal(10, c.ElectionTick);
        Assert.Equal(1, c.HeartbeatTick);
        Assert.True(c.PreVote);
        Assert.True(c.CheckQuorum);
        Assert.Equal(ReadOnlyOption.Safe, c.ReadOnlyOption);
    }

    [Fact]
    public void Logger_WhenEnabled_ReceivesRoleChanges()
    {
        var lines = new List<string>();
        var c = Valid();
        c.Logger = new ListLogger(lines);
        var n = new RawNode(c);
        n.Campaign();
        Assert.Contains(lines, l => l.Contains("became candidate", StringComparison.Ordinal));
    }

    private sealed class ListLogger(List<string> lines) : IRaftLogger
    {
        public bool IsEnabled(RaftLogLevel level) => level >= RaftLogLevel.Info;

        public void Log(RaftLogLevel level, string message) => lines.Add(message);
    }
}
