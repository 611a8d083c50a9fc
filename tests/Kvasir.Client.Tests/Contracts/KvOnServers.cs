using Kvasir.Client.Tests.Support;

namespace Kvasir.Client.Tests.Contracts;

public sealed class KvOnEtcd(EtcdFixture server) : KvContract(server), IClassFixture<EtcdFixture>;

public sealed class KvOnKvasir(KvasirFixture server) : KvContract(server), IClassFixture<KvasirFixture>;
