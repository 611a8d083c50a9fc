using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Storage.Mvcc;

namespace Kvasir.Server.Member;

/// <summary>
/// The cluster's alarms (etcd's v3alarm.AlarmStore): which member raised which alarm. Persisted in
/// the backend's <c>alarm</c> bucket (key: the AlarmMember protobuf, value: empty — etcd's layout)
/// in the same write transaction as the entry that changed them; kept in memory for the checks on
/// every request. Changed only by the applier; read from any thread.
/// </summary>
public sealed class AlarmStore
{
    /// <summary>The backend bucket, etcd's name.</summary>
    public const string Bucket = "alarm";

    private readonly Lock _gate = new();
    private readonly SortedDictionary<(AlarmType Type, ulong Member), AlarmMember> _alarms = [];
    private volatile bool _noSpace;
    private volatile bool _corrupt;

    /// <summary>Whether a NOSPACE alarm is active: the store takes no more puts until it is disarmed.</summary>
    public bool NoSpace => _noSpace;

    /// <summary>Whether a CORRUPT alarm is active.</summary>
    public bool Corrupt => _corrupt;

    /// <summary>Loads the alarms persisted in <paramref name="store"/>.</summary>
    public static AlarmStore Restore(MvccStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var alarms = new AlarmStore();
        foreach (var (key, _) in store.BucketScan(Bucket))
        {
            var m = AlarmMember.Parser.ParseFrom(key);
            alarms._alarms[(m.Alarm, m.MemberID)] = m;
        }

        alarms.Refresh();
        return alarms;
    }

    /// <summary>The active alarms of <paramref name="type"/> (all of them for NONE), by type then member.</summary>
    public IReadOnlyList<AlarmMember> Get(AlarmType type = AlarmType.None)
    {
        lock (_gate)
        {
            var list = new List<AlarmMember>(_alarms.Count);
            foreach (var (key, m) in _alarms)
            {
                if (type == AlarmType.None || key.Type == type)
                {
                    list.Add(m.Clone());
                }
            }

            return list;
        }
    }

    /// <summary>
    /// Applies an Alarm request (applier thread) inside <paramref name="txn"/>: GET lists, ACTIVATE
    /// adds (and answers the alarm, or the one already there), DEACTIVATE removes (and answers what it
    /// removed). The answer carries no header, as etcd's.
    /// </summary>
    public AlarmResponse Apply(AlarmRequest request, MvccWriteTxn txn)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(txn);
        var response = new AlarmResponse();
        var key = (request.Alarm, request.MemberID);
        switch (request.Action)
        {
            case AlarmRequest.Types.AlarmAction.Get:
                response.Alarms.AddRange(Get(request.Alarm));
                break;
            case AlarmRequest.Types.AlarmAction.Activate:
                lock (_gate)
                {
                    if (!_alarms.TryGetValue(key, out var existing))
                    {
                        existing = new AlarmMember { MemberID = request.MemberID, Alarm = request.Alarm };
                        _alarms[key] = existing;
                        txn.BucketPut(Bucket, existing.ToByteArray(), []);
                    }

                    response.Alarms.Add(existing.Clone());
                }

                break;
            case AlarmRequest.Types.AlarmAction.Deactivate:
                lock (_gate)
                {
                    if (_alarms.Remove(key, out var removed))
                    {
                        txn.BucketDelete(Bucket, removed.ToByteArray());
                        response.Alarms.Add(removed);
                    }
                }

                break;
        }

        Refresh();
        return response;
    }

    private void Refresh()
    {
        lock (_gate)
        {
            var noSpace = false;
            var corrupt = false;
            foreach (var key in _alarms.Keys)
            {
                noSpace |= key.Type == AlarmType.Nospace;
                corrupt |= key.Type == AlarmType.Corrupt;
            }

            _noSpace = noSpace;
            _corrupt = corrupt;
        }
    }
}
