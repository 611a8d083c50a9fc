using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;

namespace Kvasir.Client.Concurrency;

/// <summary>The waiting at the heart of etcd's lock and election: queue by create revision, wait for the one just ahead to go.</summary>
internal static class KeyWaits
{
    /// <summary>
    /// Waits until no key under <paramref name="prefix"/> has a create revision up to
    /// <paramref name="maxCreateRevision"/>: repeatedly finds the newest such key (the waiter just
    /// ahead) and waits for its deletion. Waiting only on the next one ahead, not on the head of the
    /// queue, means each release wakes one waiter. Returns the header of the read that found none.
    /// </summary>
    public static async Task<ResponseHeader> WaitDeletesAsync(EtcdClient client, ByteString prefix, long maxCreateRevision, CancellationToken cancellationToken)
    {
        var ahead = new GetOptions
        {
            Prefix = true,
            SortTarget = RangeRequest.Types.SortTarget.Create,
            SortOrder = RangeRequest.Types.SortOrder.Descend,
            Limit = 1,
            MaxCreateRevision = maxCreateRevision,
        };
        while (true)
        {
            var response = await client.KV.GetAsync(prefix, ahead, cancellationToken).ConfigureAwait(false);
            if (response.Kvs.Count == 0)
            {
                return response.Header;
            }

            await WaitDeleteAsync(client, response.Kvs[0].Key, response.Header.Revision, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for a DELETE of <paramref name="key"/> at or after <paramref name="revision"/>.</summary>
    public static async Task WaitDeleteAsync(EtcdClient client, ByteString key, long revision, CancellationToken cancellationToken)
    {
        await foreach (var response in client.Watch.WatchAsync(key, new WatchOptions { StartRevision = revision, NoPut = true }, cancellationToken).ConfigureAwait(false))
        {
            foreach (var e in response.Events)
            {
                if (e.Type == Event.Types.EventType.Delete)
                {
                    return;
                }
            }
        }

        throw new InvalidOperationException("the watch waiting for the deletion of " + key.ToStringUtf8() + " ended");
    }

    /// <summary>The oldest key under a prefix: the lock holder or the election leader.</summary>
    public static GetOptions FirstCreated { get; } = new()
    {
        Prefix = true,
        SortTarget = RangeRequest.Types.SortTarget.Create,
        SortOrder = RangeRequest.Types.SortOrder.Ascend,
        Limit = 1,
    };
}
