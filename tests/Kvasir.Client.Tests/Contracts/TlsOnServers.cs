using Kvasir.Client.Tests.Support;

namespace Kvasir.Client.Tests.Contracts;

public sealed class TlsOnEtcd(EtcdTlsFixture server) : TlsContract(server), IClassFixture<EtcdTlsFixture>;

public sealed class TlsOnKvasir(KvasirTlsFixture server) : TlsContract(server), IClassFixture<KvasirTlsFixture>;
