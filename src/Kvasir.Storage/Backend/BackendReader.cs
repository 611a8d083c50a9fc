namespace Kvasir.Storage.Backend;

/// <summary>
/// A reader connection rented from the backend's pool: used by one thread, then given back with
/// <see cref="Dispose"/>. Outside <see cref="BeginSnapshot"/> each statement reads the latest committed
/// batch; inside it, every read sees one snapshot. Spans it returns are valid until its next call.
/// </summary>
internal sealed class BackendReader : IDisposable
{
    private const string GetKvSql = "SELECT v FROM kv WHERE k = ?1";
    private const string ScanKvSql = "SELECT k, v FROM kv WHERE k >= ?1 AND k < ?2 ORDER BY k";
    private const string ScanAllSql = "SELECT k, v FROM kv ORDER BY k";
    private const string BucketNamesSql = "SELECT DISTINCT b FROM bucket ORDER BY b";
    private const string BucketScanSql = "SELECT k, v FROM bucket WHERE b = ?1 ORDER BY k";

    private readonly SqliteBackend _owner;
    private SqliteStatement? _open;
    private bool _inSnapshot;

    internal BackendReader(SqliteBackend owner, SqliteDb db)
    {
        _owner = owner;
        Db = db;
    }

    internal SqliteDb Db { get; }

    /// <summary>Starts a read transaction and pins its snapshot: later reads see the backend as of now.</summary>
    public void BeginSnapshot()
    {
        ResetOpen();
        Db.Exec("BEGIN");
        // A read transaction takes its snapshot at its first read, not at BEGIN.
        Db.QueryInt64("SELECT count(*) FROM (SELECT 1 FROM kv LIMIT 1)");
        _inSnapshot = true;
    }

    public void EndSnapshot()
    {
        ResetOpen();
        if (_inSnapshot)
        {
            _inSnapshot = false;
            Db.Exec("COMMIT");
        }
    }

    /// <summary>The value stored under a revision key, or false when no such row exists.</summary>
    public bool TryGetKv(ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        ResetOpen();
        var stmt = Db.Prepare(GetKvSql);
        stmt.Bind(1, key);
        _open = stmt;
        if (stmt.Step())
        {
            value = stmt.ColumnBlob(0);
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>Starts a scan of the key table over [from, to) in key order; step it with <see cref="Next"/>.</summary>
    public void ScanKv(ReadOnlySpan<byte> from, ReadOnlySpan<byte> to)
    {
        ResetOpen();
        var stmt = Db.Prepare(ScanKvSql);
        stmt.Bind(1, from);
        stmt.Bind(2, to);
        _open = stmt;
    }

    /// <summary>Starts a scan of the whole key table in key order.</summary>
    public void ScanAllKv()
    {
        ResetOpen();
        _open = Db.Prepare(ScanAllSql);
    }

    /// <summary>Starts a scan of one bucket in key order.</summary>
    public void ScanBucket(string bucket)
    {
        ResetOpen();
        var stmt = Db.Prepare(BucketScanSql);
        stmt.Bind(1, bucket);
        _open = stmt;
    }

    /// <summary>Every bucket name in the backend, in ordinal order.</summary>
    public List<string> BucketNames()
    {
        ResetOpen();
        var stmt = Db.Prepare(BucketNamesSql);
        var names = new List<string>();
        try
        {
            while (stmt.Step())
            {
                names.Add(stmt.ColumnText(0) ?? "");
            }
        }
        finally
        {
            stmt.Reset();
        }

        return names;
    }

    /// <summary>Steps the open scan: false at its end.</summary>
    public bool Next(out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        var stmt = _open ?? throw new InvalidOperationException("no scan is open");
        if (stmt.Step())
        {
            key = stmt.ColumnBlob(0);
            value = stmt.ColumnBlob(1);
            return true;
        }

        key = default;
        value = default;
        return false;
    }

    public void Dispose()
    {
        try
        {
            EndSnapshot();
        }
        finally
        {
            _owner.ReturnReader(this);
        }
    }

    private void ResetOpen()
    {
        if (_open is not null)
        {
            _open.Reset();
            _open = null;
        }
    }
}
