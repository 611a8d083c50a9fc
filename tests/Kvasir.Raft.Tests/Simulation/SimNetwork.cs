namespace Kvasir.Raft.Tests.Simulation;

/// <summary>
/// The simulated network: every message is dropped, duplicated or delayed by a seeded draw, and
/// links can be cut in one or both directions. Messages due at the same time come out shuffled
/// when reordering is on.
/// </summary>
internal sealed class SimNetwork
{
    private readonly Random _rng;
    private readonly List<(long Due, long Seq, Message Message)> _inflight = [];
    private readonly HashSet<(ulong From, ulong To)> _cut = [];
    private long _seq;

    public SimNetwork(Random rng)
    {
        _rng = rng;
    }

    public int DropRate { get; set; }

    public int DuplicateRate { get; set; }

    public int MaxDelay { get; set; }

    public bool Reorder { get; set; }

    public int InFlight => _inflight.Count;

    public bool IsCut(ulong from, ulong to) => _cut.Contains((from, to));

    public void CutOneWay(ulong from, ulong to) => _cut.Add((from, to));

    public void Heal() => _cut.Clear();

    public bool HasCuts => _cut.Count > 0;

    /// <summary>Queues a message; returns false when the network drops it at once (a cut link or bad luck).</summary>
    public bool Send(Message m, long now)
    {
        if (_cut.Contains((m.From, m.To)) || (DropRate > 0 && _rng.Next(1000) < DropRate))
        {
            return false;
        }

        _inflight.Add((now + Delay(), _seq++, m));
        if (DuplicateRate > 0 && _rng.Next(1000) < DuplicateRate)
        {
            _inflight.Add((now + Delay(), _seq++, m));
        }

        return true;
    }

    /// <summary>Moves the messages due by <paramref name="now"/> into <paramref name="into"/>, in delivery order.</summary>
    public void TakeDue(long now, List<Message> into)
    {
        var start = into.Count;
        var kept = 0;
        for (var i = 0; i < _inflight.Count; i++)
        {
            var f = _inflight[i];
            if (f.Due <= now)
            {
                into.Add(f.Message);
            }
            else
            {
                _inflight[kept++] = f;
            }
        }

        _inflight.RemoveRange(kept, _inflight.Count - kept);
        if (Reorder)
        {
            for (var i = into.Count - 1; i > start; i--)
            {
                var j = start + _rng.Next(i - start + 1);
                (into[i], into[j]) = (into[j], into[i]);
            }
        }
    }

    private int Delay()
    {
        if (MaxDelay == 0)
        {
            return 0;
        }

        // Mostly immediate: a tick is much longer than a round trip.
        return _rng.Next(4) == 0 ? _rng.Next(MaxDelay + 1) : 0;
    }
}
