using Kvasir.Raft.Quorum;

namespace Kvasir.Raft.Tracker;

/// <summary>
/// The membership in force and, per member, the leader's replication progress; also the votes of
/// the current election. Members are visited in ascending id order so that every run is
/// deterministic.
/// </summary>
internal sealed class ProgressTracker : IAckedIndexer
{
    private readonly Dictionary<ulong, Progress> _progress;
    private ulong[] _ids;

    public ProgressTracker(int maxInflight, ulong maxInflightBytes)
        : this(maxInflight, maxInflightBytes, TrackerConfig.Empty, new Dictionary<ulong, Progress>())
    {
    }

    private ProgressTracker(int maxInflight, ulong maxInflightBytes, TrackerConfig config, Dictionary<ulong, Progress> progress)
    {
        MaxInflight = maxInflight;
        MaxInflightBytes = maxInflightBytes;
        Config = config;
        _progress = progress;
        _ids = SortedIds(progress);
    }

    public int MaxInflight { get; }

    public ulong MaxInflightBytes { get; }

    public TrackerConfig Config { get; private set; }

    /// <summary>The votes of the current (pre-)election: id → granted.</summary>
    public Dictionary<ulong, bool> Votes { get; } = [];

    /// <summary>Every member (voter or learner), ascending. Do not modify.</summary>
    public ulong[] Ids => _ids;

    /// <summary>The progress of every member, by id. Read-only by convention; change membership through <see cref="Switch"/>.</summary>
    public Dictionary<ulong, Progress> ProgressMap => _progress;

    /// <summary>Whether the configuration has exactly one voter and is not joint.</summary>
    public bool IsSingleton => Config.Voters.Incoming.Count == 1 && Config.Voters.Outgoing.Count == 0;

    public Progress? Get(ulong id) => _progress.GetValueOrDefault(id);

    public Inflights NewInflights() => new(MaxInflight, MaxInflightBytes);

    /// <summary>Installs a configuration and its progress map (built by the Changer).</summary>
    public void Switch(TrackerConfig config, Dictionary<ulong, Progress> progress)
    {
        Config = config;
        _progress.Clear();
        foreach (var (id, pr) in progress)
        {
            _progress[id] = pr;
        }

        _ids = SortedIds(_progress);
    }

    /// <summary>A detached copy of the map for the Changer to edit: the Progress objects are copied, the inflights shared.</summary>
    public Dictionary<ulong, Progress> CopyProgress()
    {
        var copy = new Dictionary<ulong, Progress>(_progress.Count);
        foreach (var (id, pr) in _progress)
        {
            copy[id] = pr.Copy();
        }

        return copy;
    }

    /// <inheritdoc/>
    public bool TryGetAckedIndex(ulong id, out ulong index)
    {
        if (_progress.TryGetValue(id, out var pr))
        {
            index = pr.Match;
            return true;
        }

        index = 0;
        return false;
    }

    /// <summary>The highest index durable on a quorum (of both halves when joint).</summary>
    public ulong Committed() => Config.Voters.CommittedIndex(this);

    /// <summary>Whether a quorum of voters has been active since the last check.</summary>
    public bool QuorumActive()
    {
        var active = new Dictionary<ulong, bool>(_ids.Length);
        foreach (var id in _ids)
        {
            var pr = _progress[id];
            if (!pr.IsLearner)
            {
                active[id] = pr.RecentActive;
            }
        }

        return Config.Voters.VoteResult(active) == VoteResult.Won;
    }

    public void ResetVotes() => Votes.Clear();

    /// <summary>Records a vote; the first answer of a voter counts, later ones are ignored.</summary>
    public void RecordVote(ulong id, bool granted) => Votes.TryAdd(id, granted);

    /// <summary>Counts the votes of voters (learners' answers do not count) and decides the election.</summary>
    public VoteResult TallyVotes(out int granted, out int rejected)
    {
        granted = 0;
        rejected = 0;
        foreach (var id in _ids)
        {
            if (_progress[id].IsLearner || !Votes.TryGetValue(id, out var v))
            {
                continue;
            }

            if (v)
            {
                granted++;
            }
            else
            {
                rejected++;
            }
        }

        return Config.Voters.VoteResult(Votes);
    }

    private static ulong[] SortedIds(Dictionary<ulong, Progress> progress)
    {
        var ids = new ulong[progress.Count];
        progress.Keys.CopyTo(ids, 0);
        Array.Sort(ids);
        return ids;
    }
}
