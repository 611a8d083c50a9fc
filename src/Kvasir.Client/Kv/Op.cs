using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Client;

/// <summary>The operations a transaction's branches run: get, put, delete, and a nested transaction.</summary>
public static class Op
{
    public static RequestOp Get(ByteString key, GetOptions? options = null) =>
        new() { RequestRange = options is null ? GetOptions.Single(key) : options.ToRequest(key) };

    public static RequestOp Get(string key, GetOptions? options = null) => Get(Utf8(key), options);

    public static RequestOp Put(ByteString key, ByteString value, PutOptions? options = null) =>
        new() { RequestPut = (options ?? NoPutOptions).ToRequest(key, value) };

    public static RequestOp Put(string key, string value, PutOptions? options = null) => Put(Utf8(key), Utf8(value), options);

    public static RequestOp Delete(ByteString key, DeleteOptions? options = null) =>
        new() { RequestDeleteRange = (options ?? NoDeleteOptions).ToRequest(key) };

    public static RequestOp Delete(string key, DeleteOptions? options = null) => Delete(Utf8(key), options);

    /// <summary>A nested transaction (etcd 3.3+): its compares are checked when the enclosing branch runs.</summary>
    public static RequestOp Txn(IEnumerable<Compare> compares, IEnumerable<RequestOp> then, IEnumerable<RequestOp>? otherwise = null)
    {
        ArgumentNullException.ThrowIfNull(compares);
        ArgumentNullException.ThrowIfNull(then);
        var txn = new TxnRequest();
        txn.Compare.AddRange(compares);
        txn.Success.AddRange(then);
        if (otherwise is not null)
        {
            txn.Failure.AddRange(otherwise);
        }

        return new RequestOp { RequestTxn = txn };
    }

    /// <summary>True when every operation of <paramref name="ops"/> (nested ones included) only reads.</summary>
    internal static bool ReadOnly(IEnumerable<RequestOp> ops)
    {
        foreach (var op in ops)
        {
            var readOnly = op.RequestCase switch
            {
                RequestOp.RequestOneofCase.RequestRange => true,
                RequestOp.RequestOneofCase.RequestTxn => ReadOnly(op.RequestTxn.Success) && ReadOnly(op.RequestTxn.Failure),
                _ => false,
            };
            if (!readOnly)
            {
                return false;
            }
        }

        return true;
    }

    internal static ByteString Utf8(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return ByteString.CopyFromUtf8(text);
    }

    private static readonly PutOptions NoPutOptions = new();
    private static readonly DeleteOptions NoDeleteOptions = new();
}
