import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/infra/config/config.ts';
import { createTargetPolicy } from '../../src/infra/webhooks/target-policy.ts';

const policy = createTargetPolicy();
const hostOf = (url: string) => new URL(url).hostname;

describe('webhook receivers the target policy refuses at registration', () => {
  it.each([
    ['http://127.1:3000/', 'address 127.0.0.1 is loopback'],
    ['http://127.0.0.1/', 'address 127.0.0.1 is loopback'],
    ['http://2130706433/', 'address 127.0.0.1 is loopback'],
    ['http://0x7f.1/', 'address 127.0.0.1 is loopback'],
    ['http://0177.0.0.1/', 'address 127.0.0.1 is loopback'],
    ['http://127.255.255.254:8080/', 'address 127.255.255.254 is loopback'],
    ['http://[::1]/', 'address ::1 is loopback'],
    ['http://[0:0:0:0:0:0:0:1]/', 'address ::1 is loopback'],
    ['http://localhost:3000/', 'host localhost is loopback'],
    ['http://api.localhost./', 'host api.localhost is loopback'],
    ['http://169.254.169.254/latest/meta-data/', 'address 169.254.169.254 is link-local'],
    ['http://[fe80::1]/', 'address fe80::1 is link-local'],
    ['http://10.0.0.5/', 'address 10.0.0.5 is private'],
    ['http://172.16.3.4/', 'address 172.16.3.4 is private'],
    ['http://192.168.1.1/', 'address 192.168.1.1 is private'],
    ['http://[fd00::5]/', 'address fd00::5 is unique-local'],
    ['http://[fc00::1]/', 'address fc00::1 is unique-local'],
    ['http://100.64.0.1/', 'address 100.64.0.1 is shared (100.64.0.0/10)'],
    ['http://224.0.0.1/', 'address 224.0.0.1 is multicast'],
    ['http://[ff02::1]/', 'address ff02::1 is multicast'],
    ['http://0.0.0.0/', 'address 0.0.0.0 is unspecified'],
    ['http://0/', 'address 0.0.0.0 is unspecified'],
    ['http://[::]/', 'address :: is unspecified'],
    ['http://255.255.255.255/', 'address 255.255.255.255 is broadcast'],
    ['http://[::ffff:127.0.0.1]/', 'address ::ffff:7f00:1 is loopback (IPv4 127.0.0.1)'],
    ['http://[::ffff:169.254.169.254]/', 'address ::ffff:a9fe:a9fe is link-local (IPv4 169.254.169.254)'],
    ['http://[::ffff:0:10.0.0.5]/', 'address ::ffff:0:a00:5 is private (IPv4 10.0.0.5)'],
    ['http://[64:ff9b::10.0.0.5]/', 'address 64:ff9b::a00:5 is private (IPv4 10.0.0.5)'],
    ['http://[64:ff9b::127.0.0.1]/', 'address 64:ff9b::7f00:1 is loopback (IPv4 127.0.0.1)'],
    ['http://[64:ff9b:1::a00:5]/', 'address 64:ff9b:1::a00:5 is special-purpose'],
    ['http://[2002:a9fe:a9fe::1]/', 'address 2002:a9fe:a9fe::1 is link-local (IPv4 169.254.169.254)'],
    ['http://[::127.0.0.1]/', 'address ::7f00:1 is reserved'],
    ['http://[2001:db8::1]/', 'address 2001:db8::1 is reserved'],
    ['http://[2001::1]/', 'address 2001::1 is a Teredo tunnel'],
    ['http://192.0.2.10/', 'address 192.0.2.10 is reserved'],
    ['http://240.0.0.1/', 'address 240.0.0.1 is reserved'],
  ])('refuses %s: %s', (url, reason) => {
    expect(policy.checkHost(hostOf(url))).toEqual({ ok: false, reason });
  });

  it.each([
    'https://hooks.example.org/casetrail',
    'https://93.184.215.14/in',
    'http://[2606:4700::1111]/',
    'http://[::ffff:93.184.215.14]/',
    'http://[64:ff9b::93.184.215.14]/',
  ])('accepts %s (a name is judged again on what it resolves to, per connection)', (url) => {
    expect(policy.checkHost(hostOf(url))).toEqual({ ok: true });
  });
});

describe('addresses a connection may reach', () => {
  it.each([
    ['169.254.169.254', 'address 169.254.169.254 is link-local'],
    ['10.0.0.5', 'address 10.0.0.5 is private'],
    ['::ffff:10.0.0.5', 'address ::ffff:a00:5 is private (IPv4 10.0.0.5)'],
    ['fe80::1%eth0', 'address fe80::1 is link-local'],
    ['not-an-address', 'address not-an-address is not an IP address'],
  ])('refuses %s', (address, reason) => {
    expect(policy.checkAddress(address)).toEqual({ ok: false, reason });
  });

  it('lets an allowed CIDR through, in IPv4-mapped form too, and nothing around it', () => {
    const inHouse = createTargetPolicy(['127.0.0.1/32', '10.20.0.0/16', 'fd00:1::/32']);
    expect(inHouse.checkAddress('127.0.0.1')).toEqual({ ok: true });
    expect(inHouse.checkAddress('::ffff:127.0.0.1')).toEqual({ ok: true });
    expect(inHouse.checkAddress('10.20.7.7')).toEqual({ ok: true });
    expect(inHouse.checkAddress('fd00:1::9')).toEqual({ ok: true });
    expect(inHouse.checkHost('localhost')).toEqual({ ok: true });
    expect(inHouse.checkAddress('127.0.0.2')).toEqual({ ok: false, reason: 'address 127.0.0.2 is loopback' });
    expect(inHouse.checkAddress('10.21.0.1')).toEqual({ ok: false, reason: 'address 10.21.0.1 is private' });
    expect(inHouse.checkAddress('169.254.169.254')).toMatchObject({ ok: false });
  });
});

describe('CASETRAIL_WEBHOOK_ALLOW_CIDRS', () => {
  it('is a comma-separated list of CIDRs or addresses, empty by default', () => {
    expect(parseConfig({}).CASETRAIL_WEBHOOK_ALLOW_CIDRS).toEqual([]);
    expect(
      parseConfig({ CASETRAIL_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32, 10.20.0.0/16,fd00::1' })
        .CASETRAIL_WEBHOOK_ALLOW_CIDRS,
    ).toEqual(['127.0.0.1/32', '10.20.0.0/16', 'fd00::1']);
  });

  it.each(['10.0.0.0/33', '127.1/32', 'intranet', '10.0.0.0/8;'])('refuses %s, naming the variable', (value) => {
    expect(() => parseConfig({ CASETRAIL_WEBHOOK_ALLOW_CIDRS: value })).toThrow(/CASETRAIL_WEBHOOK_ALLOW_CIDRS/);
  });
});
