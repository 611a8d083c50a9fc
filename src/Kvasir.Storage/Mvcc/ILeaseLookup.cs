namespace Kvasir.Storage.Mvcc;

/// <summary>
/// Answers whether a lease exists, for the checks etcd makes when it applies a Put with a lease (the
/// lessor implements it). A write given no lookup accepts every lease id.
/// </summary>
public interface ILeaseLookup
{
    bool Exists(long leaseId);
}
