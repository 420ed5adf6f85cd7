# awsenv completion for bash. Generated from awsenv's commands: do not edit.
# Where it goes: save it as ~/.local/share/bash-completion/completions/awsenv
# (bash-completion loads it on first use):
#   awsenv completion bash > ~/.local/share/bash-completion/completions/awsenv
# or load it from ~/.bashrc:  eval "$(awsenv completion bash)"

# Names of KIND ($1: profiles|sessions|targets) starting with $2, escaped for the command line.
_awsenv_names() {
  local name q prefix=$2 plain=''
  # The typed word may be escaped already (dev\ o): compare what it stands for.
  while [[ $prefix == *\\* ]]; do
    plain+=${prefix%%\\*}
    prefix=${prefix#*\\}
    plain+=${prefix:0:1}
    prefix=${prefix:1}
  done
  prefix=$plain$prefix
  while IFS= read -r name; do
    [[ -n $name && $name == "$prefix"* ]] || continue
    printf -v q '%q' "$name"
    COMPREPLY+=("$q")
  done < <(awsenv complete "$1" 2>/dev/null)
}

# Those of the words after $1 that start with $1.
_awsenv_words() {
  local cur=$1 w
  shift
  for w in "$@"; do
    if [[ $w == "$cur"* ]]; then COMPREPLY+=("$w"); fi
  done
}

# Whether option $2 of command $1 ('' before the command) takes a value;
# if so, sets kind (and choices) to what the value completes to.
_awsenv_option_value() {
  case $1 in
    configure)
      case $2 in
        --start-url) kind=any ;;
        --sso-region) kind=any ;;
        --session) kind=sessions ;;
        --region) kind=any ;;
        --scopes) kind=any ;;
        *) return 1 ;;
      esac ;;
    console)
      case $2 in
        --destination) kind=any ;;
        --service) kind=any ;;
        --region) kind=any ;;
        --duration) kind=any ;;
        --chain) kind=any ;;
        *) return 1 ;;
      esac ;;
    credential-process)
      case $2 in
        --profile) kind=profiles ;;
        *) return 1 ;;
      esac ;;
    emulator)
      case $2 in
        --port) kind=any ;;
        --directory) kind=file ;;
        --accounts) kind=any ;;
        --roles) kind=any ;;
        --start-url) kind=any ;;
        --region) kind=any ;;
        --latency-ms) kind=any ;;
        --throttle-rate) kind=any ;;
        --tps-limit) kind=any ;;
        --error-rate) kind=any ;;
        --error-operations) kind=any ;;
        --seed) kind=any ;;
        --access-token-ttl) kind=any ;;
        --session-ttl) kind=any ;;
        --credential-ttl) kind=any ;;
        --registration-ttl) kind=any ;;
        --device-interval) kind=any ;;
        --device-code-ttl) kind=any ;;
        --malformed) kind=any ;;
        --user-name) kind=any ;;
        *) return 1 ;;
      esac ;;
    exec)
      case $2 in
        --chain) kind=any ;;
        *) return 1 ;;
      esac ;;
    export)
      case $2 in
        -f|--format) kind=choice choices=(env env-no-export fish powershell windows-cmd dotenv json) ;;
        --chain) kind=any ;;
        *) return 1 ;;
      esac ;;
    list)
      case $2 in
        --session) kind=sessions ;;
        --include) kind=any ;;
        --exclude) kind=any ;;
        *) return 1 ;;
      esac ;;
    login)
      case $2 in
        --session) kind=sessions ;;
        --profile) kind=profiles ;;
        *) return 1 ;;
      esac ;;
    logout)
      case $2 in
        --session) kind=sessions ;;
        *) return 1 ;;
      esac ;;
    sandbox)
      case $2 in
        --shell) kind=choice choices=(bash zsh fish) ;;
        *) return 1 ;;
      esac ;;
    serve)
      case $2 in
        --port) kind=any ;;
        --bind) kind=any ;;
        -f|--format) kind=choice choices=(env env-no-export fish powershell windows-cmd dotenv json) ;;
        *) return 1 ;;
      esac ;;
    status)
      case $2 in
        --session) kind=sessions ;;
        *) return 1 ;;
      esac ;;
    sync)
      case $2 in
        --session) kind=sessions ;;
        --name) kind=any ;;
        --region) kind=any ;;
        --include) kind=any ;;
        --exclude) kind=any ;;
        *) return 1 ;;
      esac ;;
    use)
      case $2 in
        --mode) kind=choice choices=(profile env) ;;
        --region) kind=any ;;
        --chain) kind=any ;;
        *) return 1 ;;
      esac ;;
    *) return 1 ;;
  esac
}

# What positional word $2 (from 0) of command $1 completes to: sets kind (and choices).
_awsenv_slot() {
  case $1 in
    allow)
      case $2 in
        0) kind=dir ;;
        *) return 1 ;;
      esac ;;
    completion)
      case $2 in
        0) kind=choice choices=(bash zsh fish pwsh) ;;
        *) return 1 ;;
      esac ;;
    console)
      case $2 in
        0) kind=targets ;;
        *) return 1 ;;
      esac ;;
    deny)
      case $2 in
        0) kind=dir ;;
        *) return 1 ;;
      esac ;;
    exec)
      case $2 in
        0) kind=targets ;;
        1) kind=command ;;
        *) kind=file ;;
      esac ;;
    export)
      case $2 in
        0) kind=targets ;;
        *) return 1 ;;
      esac ;;
    help)
      case $2 in
        0) kind=any ;;
        *) return 1 ;;
      esac ;;
    init)
      case $2 in
        0) kind=choice choices=(bash zsh fish pwsh) ;;
        *) return 1 ;;
      esac ;;
    serve)
      case $2 in
        *) kind=any ;;
      esac ;;
    use)
      case $2 in
        0) kind=targets ;;
        *) return 1 ;;
      esac ;;
    *) return 1 ;;
  esac
}

# The options of command $1 ('' before the command) that start with $2.
_awsenv_options() {
  case $1 in
    '') _awsenv_words "$2" --version --debug -h --help ;;
    allow) _awsenv_words "$2" -h --help ;;
    completion) _awsenv_words "$2" -h --help ;;
    configure) _awsenv_words "$2" --start-url --sso-region --session --region --scopes -h --help ;;
    console) _awsenv_words "$2" --print --destination --service --region --duration --via-portal --chain -h --help ;;
    credential-process) _awsenv_words "$2" --profile -h --help ;;
    deny) _awsenv_words "$2" -h --help ;;
    doctor) _awsenv_words "$2" --json -h --help ;;
    emulator) _awsenv_words "$2" --port --directory --accounts --roles --hostile --start-url --region --auto-approve --deny-approvals --latency-ms --throttle-rate --tps-limit --error-rate --error-operations --seed --access-token-ttl --no-refresh-rotation --session-ttl --credential-ttl --registration-ttl --device-interval --device-code-ttl --malformed --user-name --verbose -h --help ;;
    exec) _awsenv_words "$2" --server --chain -h --help ;;
    export) _awsenv_words "$2" -f --format --chain -h --help ;;
    help) _awsenv_words "$2" -h --help ;;
    init) _awsenv_words "$2" -h --help ;;
    list) _awsenv_words "$2" --session --refresh --json --include --exclude -h --help ;;
    login) _awsenv_words "$2" --session --profile --no-browser --use-device-code -h --help ;;
    logout) _awsenv_words "$2" --session --all -h --help ;;
    sandbox) _awsenv_words "$2" --shell --script -h --help ;;
    serve) _awsenv_words "$2" --port --bind --imds -f --format -h --help ;;
    status) _awsenv_words "$2" --session --json --check -h --help ;;
    sync) _awsenv_words "$2" --session --dry-run --diff --prune --name --native --region --include --exclude --no-filter -h --help ;;
    use) _awsenv_words "$2" --mode --region --unset --debug --chain -h --help ;;
  esac
}

_awsenv() {
  local cur=${COMP_WORDS[COMP_CWORD]-} prev='' cmd='' w kind='' q
  local -i i=1 n=0
  local -a choices=()
  COMPREPLY=()
  # bash splits "--opt=value" at '=' (COMP_WORDBREAKS): the option is before the '='.
  if [[ $cur == '=' ]] && (( COMP_CWORD >= 1 )); then
    prev=${COMP_WORDS[COMP_CWORD-1]} cur=''
  elif (( COMP_CWORD >= 2 )) && [[ ${COMP_WORDS[COMP_CWORD-1]} == '=' ]]; then
    prev=${COMP_WORDS[COMP_CWORD-2]}
  elif (( COMP_CWORD >= 1 )); then
    prev=${COMP_WORDS[COMP_CWORD-1]}
  fi
  # The subcommand, and how many positional words follow it before the cursor.
  while (( i < COMP_CWORD )); do
    w=${COMP_WORDS[i]}
    if (( i + 1 < COMP_CWORD )) && [[ ${COMP_WORDS[i+1]} == '=' ]]; then
      i+=3
      continue
    fi
    if [[ $w == -* ]]; then
      if _awsenv_option_value "$cmd" "$w"; then i+=1; fi
    elif [[ -z $cmd ]]; then
      cmd=$w
    else
      n+=1
    fi
    i+=1
  done
  kind=''
  if _awsenv_option_value "$cmd" "$prev"; then
    :
  elif [[ $cur == -* ]]; then
    _awsenv_options "$cmd" "$cur"
    return 0
  elif [[ -z $cmd ]]; then
    _awsenv_words "$cur" allow completion configure console credential-process deny doctor emulator exec export help init list login logout sandbox serve status sync use
    return 0
  elif ! _awsenv_slot "$cmd" "$n"; then
    return 0
  fi
  case $kind in
    profiles|sessions|targets) _awsenv_names "$kind" "$cur" ;;
    choice) _awsenv_words "$cur" "${choices[@]}" ;;
    file|dir|command)
      compopt -o filenames 2>/dev/null
      case $kind in
        file) q=-f ;;
        dir) q=-d ;;
        command) q=-c ;;
      esac
      while IFS= read -r w; do COMPREPLY+=("$w"); done < <(compgen "$q" -- "$cur")
      ;;
  esac
  return 0
}

complete -F _awsenv awsenv
