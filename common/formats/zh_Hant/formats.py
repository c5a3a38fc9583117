# As in English (common/formats/en/formats.py). Django's Chinese formats group no thousands
# (`intcomma` wrote 12345) and read date inputs as 2026/06/15 first, which a browser's date
# field does not take: the ISO day comes first here.
from common.formats.en.formats import *  # noqa: F403

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
