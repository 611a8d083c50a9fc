using Kvasir.Storage.IO;

namespace Kvasir.Storage.Wal;

/// <summary>A prepared segment file, open, and the temporary name it has until the flusher names it.</summary>
internal readonly record struct PreparedSegment(string Name, IStorageFile File);
