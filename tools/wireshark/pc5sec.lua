-- SPDX-License-Identifier: GPL-2.0
--
-- pc5sec.lua: a Wireshark/tshark dissector (Lua, Wireshark 4.0 and later)
-- for the pc5sec v1 header (docs/pc5sec-v1.md section 2), the header of IP
-- multicast datagrams protected for 3GPP ProSe groups by the pc5sec module.
--
-- A protected datagram is
--     IP header | pc5sec header (10 octets) | ciphertext | ICV (aes-gcm-128)
-- with the IPv4 protocol / IPv6 next header PC5SEC_PROTO, 253 unless the
-- module was loaded with proto=N: set the preference pc5sec.proto to N
-- (Edit > Preferences > Protocols > pc5sec, or tshark -o pc5sec.proto:N).
-- The dissector moves to the new number when the preference changes. The
-- payload is encrypted and not dissected further.
--
-- Load it as a plugin (install it into a Lua plugin folder, `tshark -G
-- folders`) or for one run: tshark -X lua_script:pc5sec.lua -r file.pcap
--
-- Fields (display filters, tshark -T fields -e ...):
--   pc5sec.version         uint8   version (octet 0, bits 7..4); 1
--   pc5sec.suite           uint8   suite (octet 0, bits 3..0): 0 eea0,
--                                  1 eea1, 2 eea2, 3 eea3, 4 aes-gcm-128
--   pc5sec.next_header     uint8   the original IP protocol (octet 1)
--   pc5sec.pgk_index       uint8   PGK index: PGK ID & 0xff (octet 2)
--   pc5sec.member_id       uint24  the sender's Group Member ID (octets 3..5)
--   pc5sec.ptk_id          uint16  PTK ID (octets 6..7)
--   pc5sec.counter         uint16  per-PTK packet counter (octets 8..9)
--   pc5sec.seq             uint32  generated: PTK ID << 16 | counter, the
--                                  sequence of the replay check (= COUNT)
--   pc5sec.ciphertext      bytes   the encrypted upper-layer header and data
--   pc5sec.ciphertext_len  uint32  generated: its length in octets (equal
--                                  to the plaintext's)
--   pc5sec.icv             bytes   the ICV (aes-gcm-128: the 16-octet tag)
--   pc5sec.icv_len         uint32  generated: the suite's ICV length
--                                  (0 for eea0..eea3, 16 for aes-gcm-128)
-- A first fragment that was not reassembled, or a datagram quoted in an
-- ICMP error, shows the header alone, marked [partial].
-- Expert infos (filterable as fields too):
--   pc5sec.malformed.short        Malformed/warn: shorter than the header
--   pc5sec.malformed.version      Malformed/warn: version is not 1
--   pc5sec.malformed.suite        Malformed/warn: suite not in the table
--   pc5sec.malformed.icv          Malformed/warn: too short for the ICV
--   pc5sec.malformed.ciphertext   Malformed/warn: no ciphertext (a receiver
--                                 needs at least one octet, section 6)
--   pc5sec.counter_zero           Protocol/warn: counter 0, never sent
-- Preference:
--   pc5sec.proto           IP protocol number (the module's proto=), 253

local HDR_LEN = 10
local DEFAULT_PROTO = 253

-- Suites (spec section 4, enum pc5sec_suite): name and ICV length.
local suite_names = {
	[0] = "eea0",
	[1] = "eea1",
	[2] = "eea2",
	[3] = "eea3",
	[4] = "aes-gcm-128",
}
local suite_icv = { [0] = 0, [1] = 0, [2] = 0, [3] = 0, [4] = 16 }

-- The next header's usual values, for display only.
local ip_protos = {
	[1] = "ICMP", [2] = "IGMP", [4] = "IPv4", [6] = "TCP", [17] = "UDP",
	[41] = "IPv6", [47] = "GRE", [50] = "ESP", [51] = "AH", [58] = "ICMPv6",
	[103] = "PIM", [132] = "SCTP", [136] = "UDP-Lite",
}

local pc5sec = Proto("pc5sec", "pc5sec (3GPP ProSe group security)")

local f = {
	version = ProtoField.uint8("pc5sec.version", "Version", base.DEC, nil, 0xf0),
	suite = ProtoField.uint8("pc5sec.suite", "Suite", base.DEC, suite_names, 0x0f),
	next_header = ProtoField.uint8("pc5sec.next_header", "Next header", base.DEC, ip_protos),
	pgk_index = ProtoField.uint8("pc5sec.pgk_index", "PGK index", base.DEC),
	member_id = ProtoField.uint24("pc5sec.member_id", "Group Member ID", base.HEX),
	ptk_id = ProtoField.uint16("pc5sec.ptk_id", "PTK ID", base.HEX),
	counter = ProtoField.uint16("pc5sec.counter", "Counter", base.DEC),
	seq = ProtoField.uint32("pc5sec.seq", "Sequence (PTK ID || counter)", base.HEX),
	ciphertext = ProtoField.bytes("pc5sec.ciphertext", "Ciphertext"),
	ciphertext_len = ProtoField.uint32("pc5sec.ciphertext_len", "Ciphertext length", base.DEC),
	icv = ProtoField.bytes("pc5sec.icv", "ICV"),
	icv_len = ProtoField.uint32("pc5sec.icv_len", "ICV length", base.DEC),
}
pc5sec.fields = {
	f.version, f.suite, f.next_header, f.pgk_index, f.member_id, f.ptk_id,
	f.counter, f.seq, f.ciphertext, f.ciphertext_len, f.icv, f.icv_len,
}

local e = {
	short = ProtoExpert.new("pc5sec.malformed.short", "Too short for the pc5sec header",
		expert.group.MALFORMED, expert.severity.WARN),
	version = ProtoExpert.new("pc5sec.malformed.version", "Unknown pc5sec version",
		expert.group.MALFORMED, expert.severity.WARN),
	suite = ProtoExpert.new("pc5sec.malformed.suite", "Unknown pc5sec suite",
		expert.group.MALFORMED, expert.severity.WARN),
	icv = ProtoExpert.new("pc5sec.malformed.icv", "Too short for the suite's ICV",
		expert.group.MALFORMED, expert.severity.WARN),
	ciphertext = ProtoExpert.new("pc5sec.malformed.ciphertext", "No ciphertext",
		expert.group.MALFORMED, expert.severity.WARN),
	counter_zero = ProtoExpert.new("pc5sec.counter_zero", "Counter 0 (never sent)",
		expert.group.PROTOCOL, expert.severity.WARN),
}
pc5sec.experts = { e.short, e.version, e.suite, e.icv, e.ciphertext, e.counter_zero }

pc5sec.prefs.proto = Pref.uint("IP protocol number", DEFAULT_PROTO,
	"IPv4 protocol / IPv6 next header of protected datagrams (the module's proto=)")

local ip_proto_table = DissectorTable.get("ip.proto")
-- Inside an ICMP error the datagram is quoted, usually cut short.
local icmp_field = Field.new("icmp")
local icmpv6_field = Field.new("icmpv6")
local registered_proto = nil

local function register(proto)
	if proto == registered_proto then
		return
	end
	if proto < 1 or proto > 255 then
		-- Not an IP protocol number: keep the one in use.
		return
	end
	if registered_proto then
		ip_proto_table:remove(registered_proto, pc5sec)
	end
	ip_proto_table:add(proto, pc5sec)
	registered_proto = proto
end

function pc5sec.prefs_changed()
	register(pc5sec.prefs.proto)
end

function pc5sec.dissector(tvb, pinfo, tree)
	-- The datagram's length as sent (the IP length), and what was captured.
	local len = tvb:reported_length_remaining()
	local caplen = tvb:len()

	pinfo.cols.protocol:set("pc5sec")
	local t = tree:add(pc5sec, tvb())

	-- A first fragment not reassembled, or a datagram quoted in an ICMP
	-- error: its lengths are not the datagram's, so only the header is
	-- shown, and nothing is malformed for being short.
	local partial = pinfo.fragmented or icmp_field() ~= nil or icmpv6_field() ~= nil
	if partial and (len < HDR_LEN or caplen < HDR_LEN) then
		t:append_text(" [partial: fragment or quoted]")
		pinfo.cols.info:append(" [pc5sec, partial]")
		return caplen
	end
	if len < HDR_LEN then
		t:add_proto_expert_info(e.short, string.format(
			"Too short for the pc5sec header: %d of %d octets", len, HDR_LEN))
		pinfo.cols.info:set(string.format("pc5sec malformed: %d octets, header is %d",
			len, HDR_LEN))
		return caplen
	end
	if caplen < HDR_LEN then
		-- A capture cut short (snaplen): what was not captured is not shown.
		t:append_text(" [header not captured]")
		pinfo.cols.info:set("pc5sec [header not captured]")
		return caplen
	end

	local vs = tvb(0, 1):uint()
	local version = bit32.rshift(vs, 4)
	local suite = bit32.band(vs, 0x0f)
	local member = tvb(3, 3):uint()
	local ptk = tvb(6, 2):uint()
	local ctr = tvb(8, 2):uint()
	local name = suite_names[suite]
	local problems = {}

	local vi = t:add(f.version, tvb(0, 1))
	if version ~= 1 then
		vi:add_proto_expert_info(e.version, string.format("Unknown pc5sec version %d", version))
		problems[#problems + 1] = "version " .. version
	end
	local si = t:add(f.suite, tvb(0, 1))
	if not name then
		si:add_proto_expert_info(e.suite, string.format("Unknown pc5sec suite %d", suite))
		problems[#problems + 1] = "suite " .. suite
	end
	t:add(f.next_header, tvb(1, 1))
	t:add(f.pgk_index, tvb(2, 1))
	t:add(f.member_id, tvb(3, 3))
	t:add(f.ptk_id, tvb(6, 2))
	local ci = t:add(f.counter, tvb(8, 2))
	if ctr == 0 then
		ci:add_proto_expert_info(e.counter_zero)
	end
	t:add(f.seq, tvb(6, 4), ptk * 65536 + ctr):set_generated()

	if partial then
		t:append_text(string.format(", %s, member 0x%06x, PTK ID 0x%04x, counter %d [partial: fragment or quoted]",
			name or ("suite " .. suite), member, ptk, ctr))
		pinfo.cols.info:set(string.format("pc5sec member 0x%06x ptk 0x%04x ctr %d [partial]",
			member, ptk, ctr))
		return caplen
	end

	-- Ciphertext and ICV, when the suite says how long the ICV is.
	local rest = len - HDR_LEN
	local icv_len = suite_icv[suite]
	if icv_len then
		t:add(f.icv_len, icv_len):set_generated()
		if rest < icv_len then
			t:add_proto_expert_info(e.icv, string.format(
				"Too short for the %s ICV: %d octets after the header, the ICV is %d",
				name, rest, icv_len))
			problems[#problems + 1] = "short ICV"
			if rest > 0 and caplen > HDR_LEN then
				t:add(f.icv, tvb(HDR_LEN))
			end
		else
			local ct_len = rest - icv_len
			t:add(f.ciphertext_len, ct_len):set_generated()
			if ct_len == 0 then
				t:add_proto_expert_info(e.ciphertext)
				problems[#problems + 1] = "no ciphertext"
			elseif caplen > HDR_LEN then
				t:add(f.ciphertext, tvb(HDR_LEN, math.min(ct_len, caplen - HDR_LEN)))
			end
			if icv_len > 0 and caplen >= len then
				t:add(f.icv, tvb(HDR_LEN + ct_len, icv_len))
			end
		end
	elseif rest > 0 and caplen > HDR_LEN then
		-- Unknown suite: where the ICV would end is unknown.
		t:add(f.ciphertext, tvb(HDR_LEN))
	end

	local summary = string.format("pc5sec member 0x%06x ptk 0x%04x ctr %d", member, ptk, ctr)
	t:append_text(string.format(", %s, member 0x%06x, PTK ID 0x%04x, counter %d",
		name or ("suite " .. suite), member, ptk, ctr))
	if #problems > 0 then
		summary = summary .. " [malformed: " .. table.concat(problems, ", ") .. "]"
	else
		summary = summary .. string.format(" (%s, pgk index %d)", name, tvb(2, 1):uint())
	end
	pinfo.cols.info:set(summary)
	return caplen
end

register(DEFAULT_PROTO)
