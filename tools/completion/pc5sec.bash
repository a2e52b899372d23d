# SPDX-License-Identifier: GPL-2.0
# bash completion for pc5sec(8)

# The configured group addresses (needs the rights pc5sec show needs)
_pc5sec_addrs()
{
	"$1" show -j 2>/dev/null | grep -o '"address":"[^"]*"' | cut -d'"' -f4
}

# The descriptions of the logon keys in the session and user keyrings
_pc5sec_logon_keys()
{
	local r id
	type -P keyctl >/dev/null || return
	for r in @s @u; do
		for id in $(keyctl rlist "$r" 2>/dev/null); do
			keyctl rdescribe "$id" 2>/dev/null | awk -F';' '$1 == "logon" { print $5 }'
		done
	done
}

_pc5sec_ifaces()
{
	local i
	for i in /sys/class/net/*; do
		[[ -e $i ]] && printf '%s\n' "${i##*/}"
	done
}

# Completes the "keyword value" pairs from words[first] on; sees the
# caller's cur, prev, words and cword
_pc5sec_opts()
{
	local first=$1
	local -a opts=("${@:2}") left=()
	local i o used

	if (( (cword - first) % 2 == 1 )); then
		case $prev in
		dev) COMPREPLY=($(compgen -W "$(_pc5sec_ifaces)" -- "$cur")) ;;
		plaintext) COMPREPLY=($(compgen -W "drop accept" -- "$cur")) ;;
		suite) COMPREPLY=($(compgen -W "eea0 eea1 eea2 eea3 aes-gcm-128" -- "$cur")) ;;
		key-file)
			compopt -o filenames 2>/dev/null
			COMPREPLY=($(compgen -f -- "$cur"))
			[[ -z $cur || $cur == - ]] && COMPREPLY+=(-)
			;;
		key-keyring) COMPREPLY=($(compgen -W "$(_pc5sec_logon_keys)" -- "$cur")) ;;
		esac
		return
	fi
	for o in "${opts[@]}"; do
		used=
		for (( i = first; i < cword; i += 2 )); do
			[[ ${words[i]} == "$o" ]] && used=1
		done
		[[ $used ]] || left+=("$o")
	done
	COMPREPLY=($(compgen -W "${left[*]}" -- "$cur"))
}

_pc5sec()
{
	local cur prev words cword prog i=1 cmd sub

	COMPREPLY=()
	# Words split at blanks only: IPv6 addresses hold colons, which
	# COMP_WORDS would split at
	read -ra words <<<"${COMP_LINE:0:COMP_POINT}"
	[[ ${COMP_LINE:0:COMP_POINT} == *[[:blank:]] ]] && words+=("")
	cword=$(( ${#words[@]} - 1 ))
	cur=${words[cword]}
	prev=${words[cword - 1]}
	prog=${words[0]}
	_pc5sec_main
	# bash replaces only what follows the last colon of the word
	if [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]]; then
		local colon=${cur%"${cur##*:}"} j
		for j in "${!COMPREPLY[@]}"; do
			COMPREPLY[j]=${COMPREPLY[j]#"$colon"}
		done
	fi
	return 0
}

_pc5sec_main()
{
	# Global options come before the command
	while (( i < cword )); do
		case ${words[i]} in
		--state-dir) (( i += 2 )) ;;
		--state-dir=*) (( i += 1 )) ;;
		-b|--batch) (( i += 2 )) ;;
		*) break ;;
		esac
	done
	if [[ $prev == --state-dir ]]; then
		compopt -o dirnames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur"))
		return
	fi
	if [[ $prev == -b || $prev == --batch ]]; then
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return
	fi
	if (( i == cword )); then
		COMPREPLY=($(compgen -W "group key show apply monitor genkey flush version help --state-dir -b --help" -- "$cur"))
		return
	fi
	cmd=${words[i]}
	sub=${words[i + 1]}
	case $cmd in
	group|key)
		if (( cword == i + 1 )); then
			if [[ $cmd == group ]]; then
				COMPREPLY=($(compgen -W "add set del --help" -- "$cur"))
			else
				COMPREPLY=($(compgen -W "add del --help" -- "$cur"))
			fi
			return
		fi
		if (( cword == i + 2 )); then
			[[ "$cmd $sub" == "group add" ]] && return
			COMPREPLY=($(compgen -W "$(_pc5sec_addrs "$prog") --help" -- "$cur"))
			return
		fi
		case "$cmd $sub" in
		"group add")
			_pc5sec_opts $((i + 3)) group-id member-id dev bearer replay-window plaintext ;;
		"group set")
			_pc5sec_opts $((i + 3)) replay-window plaintext ;;
		"key add")
			_pc5sec_opts $((i + 3)) pgk-id suite key-file key-keyring not-before soft-expires expires tx-ptk-id tx-ptk-limit ;;
		"key del")
			_pc5sec_opts $((i + 3)) pgk-id ;;
		esac
		;;
	show)
		COMPREPLY=($(compgen -W "-s --stats -j --json --config --help" -- "$cur"))
		[[ $cur == -* ]] || COMPREPLY+=($(compgen -W "$(_pc5sec_addrs "$prog")" -- "$cur"))
		;;
	apply)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-n --dry-run --replace --help" -- "$cur"))
		else
			compopt -o filenames 2>/dev/null
			COMPREPLY=($(compgen -f -- "$cur"))
		fi
		;;
	monitor)
		case $prev in
		--exec)
			# A command: a program, or a script's path
			compopt -o filenames 2>/dev/null
			if [[ $cur == */* ]]; then
				COMPREPLY=($(compgen -f -- "$cur"))
			else
				COMPREPLY=($(compgen -c -- "$cur"))
			fi
			return
			;;
		--on)
			# Comma-separated: complete the name after the last comma
			local ev="key-soft-expired key-expired key-tx-low key-tx-exhausted
				unknown-pgk no-tx-key group-new group-set group-del key-new
				key-set key-del renewed lost"
			local done=${cur%"${cur##*,}"}
			COMPREPLY=($(compgen -P "$done" -W "$ev" -- "${cur##*,}"))
			compopt -o nospace 2>/dev/null
			return
			;;
		esac
		COMPREPLY=($(compgen -W "-j --json --renew --exec --on --help" -- "$cur"))
		;;
	genkey|flush|version)
		(( cword == i + 1 )) && COMPREPLY=($(compgen -W "--help" -- "$cur"))
		;;
	esac
}

complete -F _pc5sec pc5sec
