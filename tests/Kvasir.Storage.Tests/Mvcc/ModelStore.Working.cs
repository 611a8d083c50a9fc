using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;
using Kvasir.Storage.Mvcc;

namespace Kvasir.Storage.Tests.Mvcc;

/// <summary>The model's write transaction: a copy of the newest state that becomes the next revision if anything changed.</summary>
internal sealed partial class ModelStore
{
    private sealed class Working(ModelStore model)
    {
        private readonly List<Row> _changes = [];

        public SortedDictionary<string, KeyValue> State { get; } = new(model._states[^1], StringComparer.Ordinal);

        public long Rev => _changes.Count > 0 ? model.CurrentRev + 1 : model.CurrentRev;

        public PutResponse Put(PutRequest p)
        {
            var key = S(p.Key);
            State.TryGetValue(key, out var prev);
            var next = model.CurrentRev + 1;
            var kv = new KeyValue
            {
                Key = p.Key,
                Value = p.IgnoreValue ? prev!.Value : p.Value,
                Lease = p.IgnoreLease ? prev!.Lease : p.Lease,
                CreateRevision = prev?.CreateRevision ?? next,
                ModRevision = next,
                Version = (prev?.Version ?? 0) + 1,
            };
            var resp = new PutResponse { Header = new ResponseHeader { Revision = next } };
            if (p.PrevKv && prev is not null)
            {
                resp.PrevKv = prev.Clone();
            }

            State[key] = kv;
            _changes.Add(new Row(new Revision(next, _changes.Count), false, kv));
            return resp;
        }

        public DeleteRangeResponse Delete(DeleteRangeRequest d)
        {
            var range = new KeyRange(d.Key, d.RangeEnd);
            var resp = new DeleteRangeResponse();
            var next = model.CurrentRev + 1;
            foreach (var (k, kv) in State.ToList())
            {
                if (!range.Contains(kv.Key.Span))
                {
                    continue;
                }

                if (d.PrevKv)
                {
                    resp.PrevKvs.Add(kv.Clone());
                }

                State.Remove(k);
                resp.Deleted++;
                _changes.Add(new Row(new Revision(next, _changes.Count), true, new KeyValue { Key = kv.Key }));
            }

            resp.Header = new ResponseHeader { Revision = resp.Deleted > 0 || _changes.Count > 0 ? next : model.CurrentRev };
            return resp;
        }

        public RangeResponse Range(RangeRequest r) =>
            model.RangeAt(r, Rev, State, out var error) ?? throw new InvalidOperationException($"model range failed in a txn: {error}");

        public void Commit()
        {
            if (_changes.Count == 0)
            {
                return;
            }

            model._states.Add(State);
            model._rows.AddRange(_changes);
        }
    }
}
