"""The client's address, the one source for the login lock-out (django-axes), the rate limits (the API's
throttles, the public check and QR sign-in pages) and the address recorded with a signature.

Behind a reverse proxy every request comes from the proxy: keyed on REMOTE_ADDR, five wrong passwords from
one client locked the account for everyone, and one client could use up the verification limit of all
(issue 22, row 4). `LIAISON_TRUSTED_PROXIES` lists the proxies' addresses or networks; only when the
direct peer is one of them is `X-Forwarded-For` read, from the right, skipping trusted hops: the first
address that is not a trusted proxy is the client (what a client writes in the header itself is further
left and is never used). Without the setting the header is ignored altogether.
"""

import ipaddress

from django.conf import settings


def trusted_networks():
    """The configured proxies as networks (read per call: a few entries, and tests change the setting)."""
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in _entries() if entry.strip()]


def _entries():
    value = getattr(settings, "LIAISON_TRUSTED_PROXIES", ()) or ()
    return value.split(",") if isinstance(value, str) else list(value)


def invalid_entries():
    """Entries of LIAISON_TRUSTED_PROXIES that are not an address or network (a system check reports them)."""
    bad = []
    for entry in _entries():
        try:
            ipaddress.ip_network(str(entry).strip(), strict=False)
        except ValueError:
            bad.append(entry)
    return bad


def _address(text):
    """An address from a header hop ("203.0.113.7", "[2001:db8::1]:443", "203.0.113.7:5555"), or None."""
    text = (text or "").strip()
    if text.startswith("["):  # [v6]:port
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(ip, networks):
    return any(ip.version == net.version and ip in net for net in networks)


def client_ip(request):
    """The address of the client that sent `request` (a string), or None when the server gave none."""
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    networks = trusted_networks()
    if not networks or not _trusted(peer, networks):
        return str(peer)
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    client = peer
    for hop in reversed(hops):
        ip = _address(hop)
        if ip is None:  # a hop that is no address: nothing to its left can be trusted
            break
        client = ip
        if not _trusted(ip, networks):
            break
    return str(client)
